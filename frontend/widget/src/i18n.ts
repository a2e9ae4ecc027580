/** The widget speaks the page's language: Russian for `lang="ru…"`, English otherwise. */
const en = {
  open: 'Open chat',
  openUnread: (n: number) => `Open chat, ${n} new ${n === 1 ? 'message' : 'messages'}`,
  close: 'Close chat',
  title: (name: string) => `Chat with ${name}`,
  message: 'Message',
  placeholder: 'Write a message…',
  send: 'Send',
  you: 'You',
  agent: 'Support',
  typing: (name: string | null) => `${name ?? 'Someone'} is typing…`,
  offline: 'Nobody is online right now. Leave your e-mail and we\u2019ll reply by e-mail.',
  name: 'Your name',
  email: 'Your e-mail',
  save: 'Save',
  saved: 'Thanks! We\u2019ll reply by e-mail.',
  failed: 'Not sent. Select to retry.',
  unavailable: 'Chat is unavailable right now.',
  newMessage: (name: string) => `New message from ${name}`,
  attach: 'Attach an image',
  tooBig: 'Images up to 10 MB only.',
  uploadFailed: 'The image could not be sent.',
};

export type Strings = typeof en;

const ru: Strings = {
  open: 'Открыть чат',
  openUnread: (n) => `Открыть чат, новых сообщений: ${n}`,
  close: 'Закрыть чат',
  title: (name) => `Чат: ${name}`,
  message: 'Сообщение',
  placeholder: 'Напишите сообщение…',
  send: 'Отправить',
  you: 'Вы',
  agent: 'Поддержка',
  typing: (name) => `${name ?? 'Собеседник'} печатает…`,
  offline: 'Сейчас никого нет на месте. Оставьте e-mail — мы ответим по почте.',
  name: 'Ваше имя',
  email: 'Ваш e-mail',
  save: 'Сохранить',
  saved: 'Спасибо! Мы ответим по почте.',
  failed: 'Не отправлено. Нажмите, чтобы повторить.',
  unavailable: 'Чат сейчас недоступен.',
  newMessage: (name) => `Новое сообщение от ${name}`,
  attach: 'Прикрепить изображение',
  tooBig: 'Только изображения до 10 МБ.',
  uploadFailed: 'Не удалось отправить изображение.',
};

export function stringsFor(lang: string | null | undefined): Strings {
  return (lang ?? '').toLowerCase().startsWith('ru') ? ru : en;
}
