import type { SessionResponseDto, UserResponseDto } from '@messenger/api-client';
import { create } from 'zustand';

export type SessionStatus = 'restoring' | 'signed-in' | 'signed-out' | 'unreachable';

interface SessionState {
  status: SessionStatus;
  user: UserResponseDto | null;
  /** Kept in memory only: a reload restores it from the httpOnly refresh cookie. */
  accessToken: string | null;
  signIn(session: SessionResponseDto): void;
  signOut(): void;
  setStatus(status: SessionStatus): void;
}

export const useSession = create<SessionState>()((set) => ({
  status: 'restoring',
  user: null,
  accessToken: null,
  signIn: ({ user, accessToken }) => set({ status: 'signed-in', user, accessToken }),
  signOut: () => set({ status: 'signed-out', user: null, accessToken: null }),
  setStatus: (status) => set({ status }),
}));

export const getAccessToken = () => useSession.getState().accessToken;
export const getMe = () => useSession.getState().user;
