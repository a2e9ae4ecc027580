import { AttachmentEntity } from './attachment.entity';
import { ChatMemberEntity } from './chat-member.entity';
import { ChatEntity } from './chat.entity';
import { MessageEntity } from './message.entity';
import { RefreshTokenEntity } from './refresh-token.entity';
import { UserEntity } from './user.entity';

export const entities = [UserEntity, RefreshTokenEntity, ChatEntity, ChatMemberEntity, MessageEntity, AttachmentEntity];
