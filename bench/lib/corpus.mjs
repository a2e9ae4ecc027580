// Message fragments and names for the seeded data: everyday messenger and customer-support talk in Russian and
// English (orders, delivery, addresses, prices, meetings), so word frequencies and stems look like a real chat.

export const RU_FRAGMENTS = [
  'Привет! Как дела?', 'Добрый день, подскажите, пожалуйста, статус заказа', 'Ваш заказ уже собран и передан в доставку',
  'Курьер приедет завтра с 10 до 14', 'Доставка по Москве бесплатная от 3000 рублей', 'Могу забрать сам из пункта выдачи?',
  'Адрес: Новосибирск, улица Ленина, дом 12, квартира 45', 'Оплата картой при получении', 'Цена 4500 руб., скидка 10%',
  'Спасибо, всё получил', 'Товар пришёл с браком, хочу оформить возврат', 'Когда будет в наличии синий размер M?',
  'Созвонимся вечером?', 'Встреча переносится на пятницу', 'Отправил документы на почту', 'Посмотри, пожалуйста, договор',
  'Счёт оплачен, проверьте поступление', 'Напомни мне завтра про отчёт', 'Я опоздаю минут на пятнадцать', 'Где ты сейчас?',
  'Давай встретимся у метро Парк культуры', 'Заказы отправляем каждый день кроме воскресенья', 'Трек-номер пришлю в течение часа',
  'Можно поменять адрес доставки?', 'Размер не подошёл, нужен обмен', 'Перезвоните мне, пожалуйста', 'Уточните номер телефона',
  'Сколько стоит доставка в Казань?', 'Гарантия на технику один год', 'Скидка действует до конца месяца', 'Отличная работа, спасибо команде!',
  'Нужно подписать акт выполненных работ', 'Квартира свободна с первого числа', 'Аренда 35000 в месяц плюс коммунальные',
  'Пришлите фото, пожалуйста', 'Машина на сервисе до четверга', 'Билеты купил, поезд в 7:40', 'С днём рождения! Счастья и здоровья',
  'Не забудь купить молоко и хлеб', 'Собрание в 15:00 в переговорной', 'Поставщик задерживает отгрузку', 'Клиент просит счёт-фактуру',
  'Проверьте, пожалуйста, остатки на складе', 'Оформил заявку на возврат денег', 'Деньги вернутся на карту в течение 5 дней',
  'Курьер не дозвонился, назначьте новое время', 'Посылка ждёт в отделении почты', 'Я уже подъезжаю', 'Хорошо, договорились',
  'Какие у вас часы работы?', 'Работаем ежедневно с 9 до 21', 'Менеджер свяжется с вами в ближайшее время', 'Пароль от вайфая на холодильнике',
  'Сегодня дождь, возьми зонт', 'Отпуск согласовали с понедельника', 'Презентацию доделаю к утру', 'Кто забирает детей из школы?',
  'Цены обновили, прайс во вложении', 'Промокод на скидку: ВЕСНА2026', 'Заказ отменён по вашей просьбе',
];

export const EN_FRAGMENTS = [
  'Hi there! How are you?', 'Your order has shipped and is on its way', 'The courier will arrive tomorrow between 10 and 2',
  'Free delivery on orders over $50', 'Can I pick it up from the store?', 'Address: 221B Baker Street, London NW1 6XE',
  'Payment by card on delivery', 'The price is $45, 10% off this week', 'Thanks, I got everything', 'The item arrived damaged, I want a refund',
  'When will the blue one be back in stock?', 'Let us call tonight', 'The meeting moved to Friday', 'I sent the documents by email',
  'Please review the contract', 'The invoice is paid, please check', 'Remind me about the report tomorrow', 'I will be fifteen minutes late',
  'Where are you now?', 'Meet me at the station entrance', 'We ship orders every day except Sunday', 'I will send the tracking number within an hour',
  'Can I change the delivery address?', 'The size does not fit, I need an exchange', 'Please call me back', 'What is your phone number?',
  'How much is shipping to Berlin?', 'The warranty is one year', 'The discount ends at the end of the month', 'Great job, thanks to the team!',
  'Sign the acceptance report please', 'The apartment is free from the first', 'Rent is 1200 a month plus utilities', 'Send a photo please',
  'The car is at the garage until Thursday', 'Tickets booked, the train leaves at 7:40', 'Happy birthday! All the best',
  'Do not forget to buy milk and bread', 'Standup at 3 pm in the meeting room', 'The supplier delays the shipment', 'The customer asks for an invoice',
  'Please check the warehouse stock', 'Refund request submitted', 'The money will be back on your card in 5 days', 'Your parcel is waiting at the post office',
  'Opening hours are 9 to 9 every day', 'A manager will contact you shortly', 'Orders placed before noon ship the same day', 'Deal, see you then',
];

export const FIRST_NAMES = [
  'Александр', 'Алексей', 'Анна', 'Мария', 'Дмитрий', 'Екатерина', 'Сергей', 'Ольга', 'Иван', 'Наталья', 'Михаил', 'Татьяна',
  'Андрей', 'Елена', 'Никита', 'Юлия', 'Павел', 'Светлана', 'Игорь', 'Ксения', 'John', 'Emily', 'Michael', 'Sarah', 'David',
  'Jessica', 'James', 'Laura', 'Robert', 'Olivia',
];
export const LAST_NAMES = [
  'Иванов', 'Смирнов', 'Кузнецов', 'Попов', 'Васильев', 'Петров', 'Соколов', 'Михайлов', 'Новиков', 'Фёдоров', 'Морозов', 'Волков',
  'Smith', 'Johnson', 'Brown', 'Taylor', 'Wilson', 'Davies', 'Evans', 'Thomas',
];
export const CHAT_TITLES = [
  'Поставщики', 'Склад', 'Отдел продаж', 'Доставка Москва', 'Семья', 'Друзья', 'Проект Альфа', 'Бухгалтерия', 'Support team',
  'Marketing', 'Weekend trip', 'Book club', 'Ремонт квартиры', 'Футбол по средам', 'Родительский чат', 'Logistics', 'Design review',
];
