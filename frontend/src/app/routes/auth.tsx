import { AuthLayout, LoginForm, RegisterForm } from '@/features/auth';
import { useT } from '@/lib/i18n';

export function LoginRoute() {
  const t = useT();
  return (
    <AuthLayout title={t('auth.login.title')}>
      <LoginForm />
    </AuthLayout>
  );
}

export function RegisterRoute() {
  const t = useT();
  return (
    <AuthLayout title={t('auth.register.title')}>
      <RegisterForm />
    </AuthLayout>
  );
}
