import { act, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useConnection } from '@/lib/socket';
import { ConnectionBanner } from './connection-banner';

describe('ConnectionBanner (unit)', () => {
  afterEach(() => {
    vi.useRealTimers();
    useConnection.getState().set('offline');
  });

  it('shows "Reconnecting…" while the socket is down and hides it once connected', () => {
    useConnection.getState().set('connected');
    render(<ConnectionBanner />);
    expect(screen.queryByRole('status')).toBeNull();
    act(() => useConnection.getState().set('reconnecting'));
    expect(screen.getByRole('status')).toHaveTextContent('Reconnecting…');
    act(() => useConnection.getState().set('connected'));
    expect(screen.queryByRole('status')).toBeNull();
  });

  it('stays quiet during a quick first connect but speaks up when it drags on', () => {
    vi.useFakeTimers();
    useConnection.getState().set('connecting');
    render(<ConnectionBanner />);
    act(() => vi.advanceTimersByTime(1_000));
    expect(screen.queryByRole('status')).toBeNull();
    act(() => vi.advanceTimersByTime(1_500));
    expect(screen.getByRole('status')).toHaveTextContent('Reconnecting…');
  });
});
