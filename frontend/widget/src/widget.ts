import { io, type Socket } from 'socket.io-client';
import { chatIcon, h } from './dom';
import type { Strings } from './i18n';
import { styles } from './styles';
import type { Ack, WidgetMessage, WidgetSession } from './types';

export interface WidgetOptions {
  /** Where the messenger runs: the origin widget.js was loaded from. */
  base: string;
  channelId: string;
  strings: Strings;
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
}

const TYPING_SHOWN_MS = 4000;
const TYPING_SENT_EVERY_MS = 2000;
/** Without an answer for this long the visitor is offered to leave an e-mail address. */
const NO_ANSWER_MS = 60_000;
const DEFAULT_ACCENT = '#2563eb';
const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];
const IMAGE_MAX_BYTES = 10 * 1024 * 1024;

const newClientId = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`);

/** The launcher and the chat panel, in a shadow root attached to `host`. */
export class ChatWidget {
  private session: WidgetSession | null = null;
  private socket: Socket | null = null;
  private readonly messages = new Map<string, WidgetMessage>();
  /** Sent but not acknowledged yet, by clientId. */
  private readonly pending = new Map<string, { body: string; el: HTMLLIElement; attachmentIds?: string[] }>();
  private lastSeq = 0;
  private typingTimer: ReturnType<typeof setTimeout> | undefined;
  private lastTypingSent = 0;
  private noAnswerTimer: ReturnType<typeof setTimeout> | undefined;
  private starting: Promise<void> | null = null;
  private unread = 0;
  private readonly badge: HTMLSpanElement;

  private readonly root: HTMLDivElement;
  private readonly launcher: HTMLButtonElement;
  private readonly panel: HTMLDivElement;
  private readonly title: HTMLHeadingElement;
  private readonly log: HTMLUListElement;
  private readonly typing: HTMLDivElement;
  private readonly note: HTMLDivElement;
  private readonly announcer: HTMLDivElement;
  private readonly input: HTMLTextAreaElement;
  private readonly error: HTMLDivElement;
  /** Short-lived storage links of images shown, by attachment id. */
  private readonly imageUrls = new Map<string, Promise<string>>();

  constructor(
    host: HTMLElement,
    private readonly options: WidgetOptions,
  ) {
    const t = options.strings;
    const shadow = host.attachShadow({ mode: 'open' });
    shadow.append(h('style', {}, styles));
    this.badge = h('span', { class: 'badge', 'aria-hidden': 'true', hidden: true });
    this.launcher = h('button', { type: 'button', class: 'launcher', 'aria-label': t.open, 'aria-expanded': 'false', 'aria-controls': 'chat-panel' }, chatIcon(), this.badge);
    this.title = h('h2', { id: 'chat-title' }, '');
    const close = h('button', { type: 'button', 'aria-label': t.close }, '×');
    // The log itself stays quiet (history loaded on open would be read out whole); live replies go to the announcer.
    this.log = h('ul', { class: 'log', role: 'log', 'aria-live': 'off', 'aria-labelledby': 'chat-title' });
    this.typing = h('div', { class: 'typing', 'aria-live': 'polite' });
    this.note = h('div', { class: 'note', hidden: true });
    this.announcer = h('div', { class: 'sr', role: 'status', 'aria-live': 'polite' });
    this.input = h('textarea', { id: 'chat-input', placeholder: t.placeholder, rows: '1', maxlength: '4000' });
    const file = h('input', { type: 'file', accept: IMAGE_TYPES.join(','), class: 'sr', tabindex: '-1', 'aria-hidden': 'true' });
    const attach = h('button', { type: 'button', class: 'attach', 'aria-label': t.attach, title: t.attach }, '+');
    this.error = h('div', { class: 'error', role: 'alert' });
    const form = h('form', { class: 'compose' }, h('label', { class: 'sr', for: 'chat-input' }, t.message), attach, file, this.input, h('button', { type: 'submit' }, t.send));
    this.panel = h('div', { id: 'chat-panel', class: 'panel', role: 'dialog', 'aria-labelledby': 'chat-title', hidden: true }, h('div', { class: 'head' }, this.title, close), this.log, this.typing, this.note, this.error, form);
    this.root = h('div', { class: 'root' }, this.panel, this.launcher, this.announcer);
    this.root.style.setProperty('--accent', DEFAULT_ACCENT);
    shadow.append(this.root);

    this.launcher.addEventListener('click', () => this.toggle());
    close.addEventListener('click', () => this.toggle(false));
    this.panel.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') this.toggle(false);
    });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.sendTyped();
    });
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey) {
        e.preventDefault();
        this.sendTyped();
      }
    });
    this.input.addEventListener('input', () => this.sendTyping());
    // A returning visitor is connected at once, so a reply that comes while the panel is closed shows on the launcher.
    if (options.storage.getItem(this.tokenKey)) void this.ensureStarted();
    attach.addEventListener('click', () => file.click());
    file.addEventListener('change', () => {
      const chosen = file.files?.[0];
      file.value = '';
      if (chosen) void this.sendImage(chosen);
    });
  }

  private get tokenKey(): string {
    return `messenger-widget:${this.options.channelId}`;
  }

  async toggle(open = this.panel.hidden): Promise<void> {
    this.panel.hidden = !open;
    this.launcher.setAttribute('aria-expanded', String(open));
    if (!open) return this.launcher.focus();
    this.input.focus();
    this.setUnread(0);
    await this.ensureStarted();
  }

  private ensureStarted(): Promise<void> {
    this.starting ??= this.start().finally(() => {
      if (!this.session) this.starting = null;
    });
    return this.starting;
  }

  private setUnread(count: number): void {
    this.unread = count;
    this.badge.textContent = String(count);
    this.badge.hidden = count === 0;
    this.launcher.setAttribute('aria-label', count ? this.options.strings.openUnread(count) : this.options.strings.open);
  }

  /** Opens (or resumes, with the kept token) the visitor's session, loads the history and connects. */
  private async start(): Promise<void> {
    const t = this.options.strings;
    let session: WidgetSession;
    try {
      session = await this.call<WidgetSession>('POST', `/api/v1/widget/${this.options.channelId}/sessions`, { token: this.options.storage.getItem(this.tokenKey) ?? undefined });
    } catch {
      this.title.textContent = t.unavailable;
      return;
    }
    this.session = session;
    this.options.storage.setItem(this.tokenKey, session.token);
    this.title.textContent = t.title(session.channel.name);
    if (session.channel.theme?.color) this.root.style.setProperty('--accent', session.channel.theme.color);
    if (session.channel.theme?.position === 'left') this.root.classList.add('left');
    if (session.channel.greeting) this.log.append(this.bubble({ from: 'agent', name: session.channel.name, body: session.channel.greeting }));
    if (!session.online) this.offerEmail();
    if (session.threadId) {
      const history = await this.call<{ items: WidgetMessage[] }>('GET', `/api/v1/widget/threads/${session.threadId}/messages`).catch(() => ({ items: [] }));
      for (const m of history.items) this.upsert(m, false);
    }
    this.connect(session.token);
  }

  private connect(token: string): void {
    const socket = io(`${this.options.base}/widget`, { path: '/socket.io', auth: { token }, transports: ['websocket'] });
    this.socket = socket;
    // Every (re)connect asks for what was missed since the last message seen.
    socket.on('connect', () => void this.resync());
    socket.on('message:new', (m: WidgetMessage) => this.upsert(m, true));
    socket.on('message:updated', (m: WidgetMessage) => this.upsert(m, false));
    socket.on('message:deleted', (m: WidgetMessage) => this.upsert(m, false));
    socket.on('typing', (e: { name: string | null }) => this.showTyping(e.name));
    socket.on('connect_error', (error: Error & { data?: { code?: string } }) => {
      // A token the server no longer accepts: forget it, so the next open starts a fresh session.
      if (error.data?.code === 'UNAUTHORIZED') this.options.storage.removeItem(this.tokenKey);
    });
  }

  private async resync(): Promise<void> {
    if (!this.socket) return;
    for (;;) {
      const answer = (await this.socket.timeout(10_000).emitWithAck('sync', { after: this.lastSeq }).catch(() => null)) as Ack<{ items: WidgetMessage[]; hasMore: boolean }> | null;
      if (!answer?.ok) return;
      for (const m of answer.items) this.upsert(m, true);
      if (!answer.hasMore) return;
    }
  }

  private sendTyped(): void {
    const body = this.input.value.trim();
    if (!body || !this.session) return;
    this.input.value = '';
    const clientId = newClientId();
    const el = this.bubble({ from: 'visitor', name: this.options.strings.you, body, pending: true });
    this.log.append(el);
    this.scroll();
    this.pending.set(clientId, { body, el });
    this.emitSend(clientId);
  }

  /** An image goes to storage through the presigned form, then out as a message carrying it (and any typed text). */
  private async sendImage(file: File): Promise<void> {
    const t = this.options.strings;
    this.error.textContent = '';
    if (!IMAGE_TYPES.includes(file.type) || file.size > IMAGE_MAX_BYTES) {
      this.error.textContent = t.tooBig;
      return;
    }
    try {
      await this.ensureStarted();
      const upload = await this.call<{ id: string; upload: { method: string; url: string; fields?: Record<string, string> } }>('POST', '/api/v1/widget/uploads', {
        fileName: file.name,
        contentType: file.type,
        size: file.size,
      });
      const form = new FormData();
      for (const [name, value] of Object.entries(upload.upload.fields ?? {})) form.append(name, value);
      form.append('file', file);
      const stored = await fetch(upload.upload.url, { method: upload.upload.method, body: form });
      if (!stored.ok) throw new Error(`storage ${stored.status}`);
      const done = await this.call<{ status: string }>('POST', `/api/v1/widget/uploads/${upload.id}/complete`);
      if (done.status !== 'ready') throw new Error(done.status);
      const body = this.input.value.trim();
      this.input.value = '';
      const clientId = newClientId();
      const el = this.bubble({ from: 'visitor', name: t.you, body: body || file.name, pending: true });
      this.log.append(el);
      this.pending.set(clientId, { body, el, attachmentIds: [upload.id] });
      this.emitSend(clientId);
    } catch {
      this.error.textContent = t.uploadFailed;
    }
  }

  /** socket.io buffers the event while disconnected; the clientId makes a resend the same message. */
  private emitSend(clientId: string): void {
    const item = this.pending.get(clientId);
    if (!item || !this.socket) return;
    item.el.classList.remove('failed');
    const payload = { clientId, ...(item.body ? { body: item.body } : {}), ...(item.attachmentIds ? { attachmentIds: item.attachmentIds } : {}) };
    this.socket.emit('message:send', payload, (answer: Ack<{ message: WidgetMessage }>) => {
      if (answer.ok) {
        this.pending.delete(clientId);
        item.el.remove();
        if (this.session && !this.session.threadId) this.session.threadId = answer.message.threadId;
        this.upsert(answer.message, false);
        this.waitForAnswer();
        return;
      }
      item.el.classList.add('failed');
      item.el.title = `${this.options.strings.failed} (${answer.error.message})`;
      item.el.setAttribute('role', 'button');
      item.el.setAttribute('tabindex', '0');
      item.el.setAttribute('aria-label', `${this.options.strings.failed} ${item.body}`);
      item.el.onclick = () => this.emitSend(clientId);
      item.el.onkeydown = (e) => e.key === 'Enter' && this.emitSend(clientId);
    });
  }

  private sendTyping(): void {
    const now = Date.now();
    if (!this.socket?.connected || !this.session?.threadId || now - this.lastTypingSent < TYPING_SENT_EVERY_MS) return;
    this.lastTypingSent = now;
    this.socket.emit('typing', { threadId: this.session.threadId }, () => undefined);
  }

  private showTyping(name: string | null): void {
    this.typing.textContent = this.options.strings.typing(name);
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => (this.typing.textContent = ''), TYPING_SHOWN_MS);
  }

  /** Adds or replaces a message in place, in seq order; a new agent message is announced to screen readers. */
  private upsert(m: WidgetMessage, announce: boolean): void {
    const known = this.messages.get(m.id);
    this.messages.set(m.id, m);
    this.lastSeq = Math.max(this.lastSeq, m.seq);
    const el = this.bubble({ from: m.from, name: m.from === 'agent' ? (m.senderName ?? this.options.strings.agent) : this.options.strings.you, body: m.deletedAt ? '—' : (m.body ?? ''), files: m.attachments });
    el.dataset.seq = String(m.seq);
    el.dataset.id = m.id;
    const existing = this.log.querySelector<HTMLLIElement>(`li[data-id="${m.id}"]`);
    if (existing) existing.replaceWith(el);
    else {
      const after = [...this.log.querySelectorAll<HTMLLIElement>('li[data-seq]')].find((li) => Number(li.dataset.seq) > m.seq);
      if (after) after.before(el);
      else this.log.insertBefore(el, this.log.querySelector('li.pending'));
    }
    if (m.from === 'agent' && !known) {
      this.typing.textContent = '';
      clearTimeout(this.noAnswerTimer);
      // Someone answered live: the "we'll reply by e-mail" offer is no longer true.
      if (announce) this.note.hidden = true;
      if (announce && this.panel.hidden) this.setUnread(this.unread + 1);
      if (announce) this.announcer.textContent = `${this.options.strings.newMessage(m.senderName ?? this.options.strings.agent)}: ${m.body ?? ''}`;
    }
    this.scroll();
  }

  private bubble(m: { from: 'visitor' | 'agent'; name: string; body: string; pending?: boolean; files?: WidgetMessage['attachments'] }): HTMLLIElement {
    const files = (m.files ?? []).map((f) => (IMAGE_TYPES.includes(f.contentType) ? this.image(f) : h('span', { class: 'file' }, `📎 ${f.fileName}`)));
    return h('li', { class: `msg ${m.from}${m.pending ? ' pending' : ''}` }, h('span', { class: 'who' }, m.name), m.body, ...files);
  }

  /** Images are fetched through a short-lived link the visitor token asks for (an <img> cannot send the token). */
  private image(file: WidgetMessage['attachments'][number]): HTMLImageElement {
    const img = h('img', { alt: file.fileName });
    let url = this.imageUrls.get(file.id);
    if (!url) {
      url = this.call<{ url: string }>('GET', `/api/v1/widget/attachments/${file.id}`).then((r) => r.url);
      this.imageUrls.set(file.id, url);
      url.catch(() => this.imageUrls.delete(file.id));
    }
    url.then((src) => (img.src = src), () => undefined);
    return img;
  }

  private waitForAnswer(): void {
    if (this.note.hidden === false) return;
    clearTimeout(this.noAnswerTimer);
    this.noAnswerTimer = setTimeout(() => this.offerEmail(), NO_ANSWER_MS);
  }

  /** Nobody answers: the visitor may leave a name and an e-mail address to be answered by mail. */
  private offerEmail(): void {
    if (!this.note.hidden || this.note.dataset.saved) return;
    const t = this.options.strings;
    const name = h('input', { type: 'text', 'aria-label': t.name, placeholder: t.name, autocomplete: 'name', value: this.session?.name.startsWith('Visitor ') ? '' : (this.session?.name ?? '') });
    const email = h('input', { type: 'email', 'aria-label': t.email, placeholder: t.email, autocomplete: 'email', required: true, value: this.session?.email ?? '' });
    const form = h('form', {}, name, email, h('button', { type: 'submit' }, t.save));
    const text = h('p', { style: 'margin:0' }, t.offline);
    this.note.replaceChildren(text, form);
    this.note.hidden = false;
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const body: Record<string, string> = { email: email.value.trim() };
      if (name.value.trim()) body.name = name.value.trim();
      void this.call('PATCH', '/api/v1/widget/sessions/me', body).then(
        () => {
          this.note.dataset.saved = 'true';
          this.note.replaceChildren(h('p', { style: 'margin:0', role: 'status' }, t.saved));
        },
        () => email.setAttribute('aria-invalid', 'true'),
      );
    });
  }

  private scroll(): void {
    this.log.scrollTop = this.log.scrollHeight;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.options.base}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...(this.session ? { Authorization: `Bearer ${this.session.token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${res.status}`);
    return (await res.json()) as T;
  }
}
