export { InboxPage } from './components/inbox-layout';
export { StatsPage } from './components/stats-page';
export { ChannelSettingsPage } from './components/channel-settings-page';
