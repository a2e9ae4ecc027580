export { AuthLayout } from './components/auth-layout';
export { LoginForm } from './components/login-form';
export { RegisterForm } from './components/register-form';
export { useLogout } from './api/logout';
