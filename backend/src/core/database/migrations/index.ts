import { InitialSchema1763769600000 } from './1763769600000-InitialSchema';
import { SyncVersions1795307129761 } from './1795307129761-SyncVersions';
import { Attachments1795307300000 } from './1795307300000-Attachments';
import { Bridge1796000000000 } from './1796000000000-Bridge';
import { MessageDelivery1796050000000 } from './1796050000000-MessageDelivery';
import { Deliveries1796050000001 } from './1796050000001-Deliveries';
import { OperatorAlerts1796600000001 } from './1796600000001-OperatorAlerts';
import { MessageSearch1796200000000 } from './1796200000000-MessageSearch';
import { ScheduledMessages1796200001000 } from './1796200001000-ScheduledMessages';
import { Notifications1796500000000 } from './1796500000000-Notifications';
import { TelegramLinks1796500000001 } from './1796500000001-TelegramLinks';
import { Inbox1796400000000 } from './1796400000000-Inbox';
import { InboxStatsFacts1796600000000 } from './1796600000000-InboxStatsFacts';
import { AiAgent1796600000002 } from './1796600000002-AiAgent';
import { WebWidget1796600000003 } from './1796600000003-WebWidget';

/** Every migration, oldest first; listed explicitly so the same array works from sources and from dist. */
export const migrations = [
  InitialSchema1763769600000,
  SyncVersions1795307129761,
  Attachments1795307300000,
  Bridge1796000000000,
  MessageDelivery1796050000000,
  Deliveries1796050000001,
  // Ordered by timestamp, as the runner sorts them: it needs only the bridge's and the attachments' tables.
  MessageSearch1796200000000,
  ScheduledMessages1796200001000,
  Inbox1796400000000,
  Notifications1796500000000,
  TelegramLinks1796500000001,
  InboxStatsFacts1796600000000,
  OperatorAlerts1796600000001,
  AiAgent1796600000002,
  WebWidget1796600000003,
];
