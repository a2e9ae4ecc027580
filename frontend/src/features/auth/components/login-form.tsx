import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { apiErrorStatus } from '@/lib/api-client';
import { useT } from '@/lib/i18n';
import { useLogin } from '../api/login';

export function LoginForm() {
  const t = useT();
  const login = useLogin();
  const [identifier, setIdentifier] = useState('');
  const [password, setPassword] = useState('');

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate({ body: { login: identifier.trim(), password } });
  };
  const status = login.isError ? apiErrorStatus(login.error) : undefined;
  const error = !login.isError ? null : status === 429 ? t('auth.tooMany') : status === 401 ? t('auth.login.failed') : t('common.error');

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <Field label={t('auth.login.identifier')} name="login" autoComplete="username" required value={identifier} onChange={(e) => setIdentifier(e.target.value)} />
      <Field label={t('auth.password')} name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
      {error ? (
        <p role="alert" className="text-sm text-red-600 dark:text-red-400">
          {error}
        </p>
      ) : null}
      <Button type="submit" className="w-full" disabled={login.isPending || !identifier || !password}>
        {t('auth.login.submit')}
      </Button>
      <p className="text-center text-sm">
        <Link to="/register" className="text-blue-600 hover:underline dark:text-blue-400">
          {t('auth.login.createAccount')}
        </Link>
      </p>
    </form>
  );
}
