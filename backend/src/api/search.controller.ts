import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthContext } from '@/core/auth';
import { ErrorResponseDto } from '@/schemas/common.dto';
import { SearchMessagesQueryDto, SearchMessagesResponseDto } from '@/schemas/search.dto';
import { SearchService } from '@/services/search.service';
import { Auth, Authenticated } from './auth.guard';

@ApiTags('search')
@Authenticated()
@ApiBadRequestResponse({ type: ErrorResponseDto })
@Controller('search')
export class SearchController {
  constructor(private readonly service: SearchService) {}

  @Get('messages')
  @ApiOperation({
    operationId: 'searchMessages',
    summary: 'Search the messages of your chats: stemmed words (Russian and English), "phrases", prefix*, and similar spellings when words find little',
  })
  @ApiOkResponse({ type: SearchMessagesResponseDto })
  messages(@Auth() auth: AuthContext, @Query() query: SearchMessagesQueryDto): Promise<SearchMessagesResponseDto> {
    return this.service.messages(auth, query);
  }
}
