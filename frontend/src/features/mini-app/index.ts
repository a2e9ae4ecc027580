export { startMiniApp } from './api/sign-in';
export { MiniAppNavigation, MiniAppSignInError } from './components/mini-app-navigation';
