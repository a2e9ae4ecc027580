import type { DomainEventNameOf, DomainEventsOf } from '@/core/events';
import type { AttachmentResponseDto } from './attachment.dto';
import type { ChatResponseDto } from './chat.dto';
import type { MessageResponseDto } from './message.dto';

/** The domain events with the views they carry: exactly what the realtime layer sends to clients. */
export type DomainEvents = DomainEventsOf<MessageResponseDto, ChatResponseDto, AttachmentResponseDto>;
export type DomainEventName = DomainEventNameOf;
