import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { useLocale } from '@/lib/i18n';
import { useSession } from '@/lib/session';
import { me } from '@/testing/data';
import { renderWithProviders } from '@/testing/render';
import { server } from '@/testing/server';
import { LoginForm } from './login-form';
import { RegisterForm } from './register-form';

describe('LoginForm (unit, HTTP mocked with MSW)', () => {
  it('signs in with the named fields and keeps the access token in memory', async () => {
    let body: unknown;
    server.use(
      http.post('*/api/v1/auth/login', async ({ request }) => {
        body = await request.json();
        return HttpResponse.json({ user: me, accessToken: 'token-1', refreshToken: 'r', expiresIn: 900 });
      }),
    );
    renderWithProviders(<LoginForm />);
    await userEvent.type(screen.getByRole('textbox', { name: 'Email or username' }), 'me');
    await userEvent.type(screen.getByLabelText('Password'), 'password-123');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    await expect.poll(() => useSession.getState().status).toBe('signed-in');
    expect(body).toEqual({ login: 'me', password: 'password-123' });
    expect(useSession.getState().accessToken).toBe('token-1');
    expect(screen.getByRole('link', { name: 'Create account' })).toHaveAttribute('href', '/register');
  });

  it('says the credentials are wrong on 401, without saying which one', async () => {
    server.use(http.post('*/api/v1/auth/login', () => HttpResponse.json({ statusCode: 401, code: 'UNAUTHORIZED', message: 'Invalid credentials' }, { status: 401 })));
    renderWithProviders(<LoginForm />);
    await userEvent.type(screen.getByRole('textbox', { name: 'Email or username' }), 'me');
    await userEvent.type(screen.getByLabelText('Password'), 'nope-nope');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong email, username or password');
    expect(useSession.getState().status).not.toBe('signed-in');
  });

  it('speaks Russian when chosen, and English again after switching back', async () => {
    useLocale.getState().setLocale('ru');
    const { unmount } = renderWithProviders(<LoginForm />);
    expect(screen.getByRole('button', { name: 'Войти' })).toBeInTheDocument();
    expect(screen.getByLabelText('Пароль')).toBeInTheDocument();
    unmount();
    useLocale.getState().setLocale('en');
    renderWithProviders(<LoginForm />);
    expect(screen.getByRole('button', { name: 'Log in' })).toBeInTheDocument();
  });
});

describe('RegisterForm (unit, HTTP mocked with MSW)', () => {
  it('shows the server’s message under the field it names', async () => {
    server.use(
      http.post('*/api/v1/auth/register', () =>
        HttpResponse.json({ statusCode: 409, code: 'CONFLICT', message: 'username is taken', fields: ['username'] }, { status: 409 }),
      ),
    );
    renderWithProviders(<RegisterForm />);
    await userEvent.type(screen.getByRole('textbox', { name: 'Email' }), 'bob@example.test');
    await userEvent.type(screen.getByRole('textbox', { name: 'Username' }), 'bob');
    await userEvent.type(screen.getByRole('textbox', { name: 'Display name' }), 'Bob');
    await userEvent.type(screen.getByLabelText('Password'), 'password-123');
    await userEvent.click(screen.getByRole('button', { name: 'Sign up' }));
    const username = screen.getByRole('textbox', { name: 'Username' });
    await expect.poll(() => username.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('username is taken')).toBeInTheDocument();
  });
});
