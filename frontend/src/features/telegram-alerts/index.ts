export { AlertSettingsPage } from './components/alert-settings-page';
