import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { DomainEventName, DomainEvents } from '@/schemas/events';

/** In-process, typed domain events; cross-instance fan-out is the socket.io adapter's job, not this bus's. */
@Injectable()
export class EventRepository {
  private readonly emitter = new EventEmitter().setMaxListeners(50);

  emit<E extends DomainEventName>(name: E, payload: DomainEvents[E]): void {
    this.emitter.emit(name, payload);
  }

  on<E extends DomainEventName>(name: E, listener: (payload: DomainEvents[E]) => void): () => void {
    this.emitter.on(name, listener);
    return () => this.emitter.off(name, listener);
  }
}
