import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import type { ApiError } from '@/lib/api-client';
import { useT } from '@/lib/i18n';
import { useRegister } from '../api/register';

const FIELDS = ['email', 'username', 'displayName', 'password'] as const;
type FieldName = (typeof FIELDS)[number];

export function RegisterForm() {
  const t = useT();
  const register = useRegister();
  const [values, setValues] = useState<Record<FieldName, string>>({ email: '', username: '', displayName: '', password: '' });
  const set = (name: FieldName) => (e: { target: { value: string } }) => setValues((v) => ({ ...v, [name]: e.target.value }));

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const displayName = values.displayName.trim();
    register.mutate({
      body: { email: values.email.trim(), username: values.username.trim(), password: values.password, ...(displayName ? { displayName } : {}) },
    });
  };
  const error = register.error as ApiError | null;
  const fieldError = (name: FieldName) => (error && (error as { fields?: string[] }).fields?.includes(name) ? error.message : undefined);
  const generalError = error && !FIELDS.some((f) => fieldError(f)) ? (error.statusCode === 429 ? t('auth.tooMany') : (error.message ?? t('common.error'))) : null;

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <Field label={t('auth.register.email')} name="email" type="email" autoComplete="email" required value={values.email} onChange={set('email')} error={fieldError('email')} />
      <Field label={t('auth.register.username')} name="username" autoComplete="username" required value={values.username} onChange={set('username')} error={fieldError('username')} />
      <Field label={t('auth.register.displayName')} name="displayName" autoComplete="name" value={values.displayName} onChange={set('displayName')} error={fieldError('displayName')} />
      <Field
        label={t('auth.password')}
        name="password"
        type="password"
        autoComplete="new-password"
        required
        minLength={8}
        value={values.password}
        onChange={set('password')}
        hint={t('auth.register.passwordHint')}
        error={fieldError('password')}
      />
      {generalError ? (
        <p role="alert" className="text-sm text-red-600 dark:text-red-400">
          {generalError}
        </p>
      ) : null}
      <Button type="submit" className="w-full" disabled={register.isPending}>
        {t('auth.register.submit')}
      </Button>
      <p className="text-center text-sm">
        <Link to="/login" className="text-blue-600 hover:underline dark:text-blue-400">
          {t('auth.register.haveAccount')}
        </Link>
      </p>
    </form>
  );
}
