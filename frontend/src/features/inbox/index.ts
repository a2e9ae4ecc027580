export { InboxPage } from './components/inbox-layout';
export { StatsPage } from './components/stats-page';
