import { Injectable } from '@nestjs/common';
import type { AuthContext } from '@/core/auth';
import { badRequest, notFound } from '@/core/errors';
import type { ContactRow } from '@/modules/bridge/models/contact.model';
import { ContactRepository } from '@/modules/bridge/repositories/contact.repository';
import type { ContactDetailsResponseDto, LinkContactDto } from '@/modules/bridge/schemas/desk.dto';
import { toContactResponse } from '@/modules/bridge/schemas/inbox.dto';
import { ChannelAccessService } from './channel-access.service';
import { ThreadViewService } from './thread-view.service';

/**
 * A customer as a person. Contacts are per channel (Avito even hashes user ids per account), so linking two of them is
 * an operator's decision, never automatic. A caller sees a contact of a channel they work, and of the linked
 * contacts and threads only those on channels they work.
 */
@Injectable()
export class ContactService {
  constructor(
    private readonly contacts: ContactRepository,
    private readonly access: ChannelAccessService,
    private readonly views: ThreadViewService,
  ) {}

  async get(auth: AuthContext, id: string): Promise<ContactDetailsResponseDto> {
    const contact = await this.visibleContact(auth, id);
    const visible = await this.access.visibleChannelIds(auth);
    const mayView = (c: ContactRow) => visible === null || visible.includes(c.channelId);
    const person = (await this.contacts.person(contact)).filter(mayView);
    const threads = await this.contacts.threadsOfContacts(person.map((c) => c.id));
    return {
      contact: toContactResponse(contact),
      linked: person.filter((c) => c.id !== contact.id).map(toContactResponse),
      threads: await this.views.viewsFor(auth.userId, threads),
    };
  }

  async link(auth: AuthContext, id: string, dto: LinkContactDto): Promise<ContactDetailsResponseDto> {
    if (dto.contactId === id) throw badRequest('contactId must be another contact', ['contactId']);
    await this.visibleContact(auth, id);
    await this.visibleContact(auth, dto.contactId).catch(() => {
      throw badRequest('contactId must be a contact of a channel you work', ['contactId']);
    });
    await this.contacts.link(id, dto.contactId);
    return this.get(auth, id);
  }

  private async visibleContact(auth: AuthContext, id: string): Promise<ContactRow> {
    const contact = await this.contacts.findById(id);
    if (!contact) throw notFound('Contact');
    await this.access.requireChannel(auth, contact.channelId).catch(() => {
      throw notFound('Contact');
    });
    return contact;
  }
}
