import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Put, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Auth, Authenticated } from '@/api/auth.guard';
import { UuidParam } from '@/api/params';
import type { AuthContext } from '@/core/auth';
import {
  CannedResponseDto,
  CannedResponseListResponseDto,
  CannedResponsesQueryDto,
  ContactDetailsResponseDto,
  CreateCannedResponseDto,
  InboxStatsResponseDto,
  LinkContactDto,
  StatsQueryDto,
  ThreadViewersResponseDto,
  UpdateCannedResponseDto,
} from '@/modules/bridge/schemas/desk.dto';
import { SetThreadLabelsDto, ThreadCountsQueryDto, ThreadCountsResponseDto, ThreadResponseDto } from '@/modules/bridge/schemas/inbox.dto';
import { CreateLabelDto, LabelListResponseDto, LabelResponseDto, UpdateLabelDto } from '@/modules/bridge/schemas/label.dto';
import { CannedResponseService } from '@/modules/bridge/services/canned-response.service';
import { ContactService } from '@/modules/bridge/services/contact.service';
import { InboxStatsService } from '@/modules/bridge/services/inbox-stats.service';
import { InboxService } from '@/modules/bridge/services/inbox.service';
import { LabelService } from '@/modules/bridge/services/label.service';
import { ViewerService } from '@/modules/bridge/services/viewer.service';
import { ErrorResponseDto } from '@/schemas/common.dto';

/** The operator's desk around the thread list: tab counts, statistics, labels on threads, who is viewing. */
@ApiTags('inbox')
@Authenticated()
@ApiBadRequestResponse({ type: ErrorResponseDto })
@Controller('inbox')
export class InboxDeskController {
  constructor(
    private readonly inbox: InboxService,
    private readonly stats: InboxStatsService,
    private readonly labels: LabelService,
    private readonly viewers: ViewerService,
  ) {}

  @Get('counts')
  @ApiOperation({ operationId: 'getInboxCounts', summary: 'Threads per tab (mine, unassigned, all) under the given filters' })
  @ApiOkResponse({ type: ThreadCountsResponseDto })
  counts(@Auth() auth: AuthContext, @Query() query: ThreadCountsQueryDto): Promise<ThreadCountsResponseDto> {
    return this.inbox.counts(auth, query);
  }

  @Get('stats')
  @ApiOperation({ operationId: 'getInboxStats', summary: 'Per channel, per operator and per day: threads, response and resolution times, messages, failed deliveries' })
  @ApiOkResponse({ type: InboxStatsResponseDto })
  getStats(@Auth() auth: AuthContext, @Query() query: StatsQueryDto): Promise<InboxStatsResponseDto> {
    return this.stats.get(auth, query);
  }

  @Put('threads/:chatId/labels')
  @ApiOperation({ operationId: 'setInboxThreadLabels', summary: "Replace a thread's labels" })
  @ApiOkResponse({ type: ThreadResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such thread, or you do not work its channel' })
  setLabels(@Auth() auth: AuthContext, @UuidParam('chatId') chatId: string, @Body() dto: SetThreadLabelsDto): Promise<ThreadResponseDto> {
    return this.labels.setThreadLabels(auth, chatId, dto.labelIds);
  }

  @Post('threads/:chatId/viewing')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'viewInboxThread',
    summary: 'Say you are viewing a thread (repeat about every 10 s; you drop out 30 s after the last call); answers who is viewing',
  })
  @ApiOkResponse({ type: ThreadViewersResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  view(@Auth() auth: AuthContext, @UuidParam('chatId') chatId: string): Promise<ThreadViewersResponseDto> {
    return this.viewers.view(auth, chatId);
  }

  @Delete('threads/:chatId/viewing')
  @HttpCode(204)
  @ApiOperation({ operationId: 'leaveInboxThread', summary: 'Say you stopped viewing a thread' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  leave(@Auth() auth: AuthContext, @UuidParam('chatId') chatId: string): Promise<void> {
    return this.viewers.leave(auth, chatId);
  }
}

@ApiTags('inbox')
@Authenticated()
@ApiBadRequestResponse({ type: ErrorResponseDto })
@Controller('labels')
export class LabelController {
  constructor(private readonly labels: LabelService) {}

  @Get()
  @ApiOperation({ operationId: 'listLabels', summary: 'Every label (operators and admins)' })
  @ApiOkResponse({ type: LabelListResponseDto })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'Not an operator' })
  list(@Auth() auth: AuthContext): Promise<LabelListResponseDto> {
    return this.labels.list(auth);
  }

  @Post()
  @ApiOperation({ operationId: 'createLabel', summary: 'Admins: add a label' })
  @ApiCreatedResponse({ type: LabelResponseDto })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'Not an admin' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The name is taken' })
  create(@Auth() auth: AuthContext, @Body() dto: CreateLabelDto): Promise<LabelResponseDto> {
    return this.labels.create(auth, dto);
  }

  @Patch(':id')
  @ApiOperation({ operationId: 'updateLabel', summary: 'Admins: rename or recolour a label' })
  @ApiOkResponse({ type: LabelResponseDto })
  @ApiForbiddenResponse({ type: ErrorResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto })
  update(@Auth() auth: AuthContext, @UuidParam('id') id: string, @Body() dto: UpdateLabelDto): Promise<LabelResponseDto> {
    return this.labels.update(auth, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteLabel', summary: 'Admins: delete a label (threads lose it)' })
  @ApiNoContentResponse()
  @ApiForbiddenResponse({ type: ErrorResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  remove(@Auth() auth: AuthContext, @UuidParam('id') id: string): Promise<void> {
    return this.labels.remove(auth, id);
  }
}

@ApiTags('inbox')
@Authenticated()
@ApiBadRequestResponse({ type: ErrorResponseDto })
@Controller('canned-responses')
export class CannedResponseController {
  constructor(private readonly canned: CannedResponseService) {}

  @Get()
  @ApiOperation({ operationId: 'listCannedResponses', summary: 'Every canned reply (operators and admins); with chatId, also filled in for that thread' })
  @ApiOkResponse({ type: CannedResponseListResponseDto })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'Not an operator' })
  list(@Auth() auth: AuthContext, @Query() query: CannedResponsesQueryDto): Promise<CannedResponseListResponseDto> {
    return this.canned.list(auth, query);
  }

  @Post()
  @ApiOperation({ operationId: 'createCannedResponse', summary: 'Admins: add a canned reply' })
  @ApiCreatedResponse({ type: CannedResponseDto })
  @ApiForbiddenResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The shortcut is taken' })
  create(@Auth() auth: AuthContext, @Body() dto: CreateCannedResponseDto): Promise<CannedResponseDto> {
    return this.canned.create(auth, dto);
  }

  @Patch(':id')
  @ApiOperation({ operationId: 'updateCannedResponse', summary: 'Admins: change a canned reply' })
  @ApiOkResponse({ type: CannedResponseDto })
  @ApiForbiddenResponse({ type: ErrorResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto })
  update(@Auth() auth: AuthContext, @UuidParam('id') id: string, @Body() dto: UpdateCannedResponseDto): Promise<CannedResponseDto> {
    return this.canned.update(auth, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteCannedResponse', summary: 'Admins: delete a canned reply' })
  @ApiNoContentResponse()
  @ApiForbiddenResponse({ type: ErrorResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  remove(@Auth() auth: AuthContext, @UuidParam('id') id: string): Promise<void> {
    return this.canned.remove(auth, id);
  }
}

@ApiTags('inbox')
@Authenticated()
@ApiBadRequestResponse({ type: ErrorResponseDto })
@ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such contact, or you do not work its channel' })
@Controller('contacts')
export class ContactController {
  constructor(private readonly contacts: ContactService) {}

  @Get(':id')
  @ApiOperation({ operationId: 'getContact', summary: 'A customer with their linked contacts and threads on every channel you work' })
  @ApiOkResponse({ type: ContactDetailsResponseDto })
  get(@Auth() auth: AuthContext, @UuidParam('id') id: string): Promise<ContactDetailsResponseDto> {
    return this.contacts.get(auth, id);
  }

  @Post(':id/link')
  @HttpCode(200)
  @ApiOperation({ operationId: 'linkContact', summary: 'Link another contact of the same person (an operator decides; never automatic)' })
  @ApiOkResponse({ type: ContactDetailsResponseDto })
  link(@Auth() auth: AuthContext, @UuidParam('id') id: string, @Body() dto: LinkContactDto): Promise<ContactDetailsResponseDto> {
    return this.contacts.link(auth, id, dto);
  }
}
