import type { AlertSettingsDto } from '@messenger/api-client';
import {
  createTelegramLinkMutation,
  deleteTelegramLinkMutation,
  getAlertSettingsOptions,
  getAlertSettingsQueryKey,
  getMeOptions,
  getMeQueryKey,
  listChannelsOptions,
  updateAlertSettingsMutation,
} from '@messenger/api-client/react-query';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

export const useAlertSettings = () => useQuery(getAlertSettingsOptions());

/** Saves a change and puts the server's answer straight into the cache. */
export function useUpdateAlertSettings() {
  const queryClient = useQueryClient();
  return useMutation({
    ...updateAlertSettingsMutation(),
    onSuccess: (settings: AlertSettingsDto) => queryClient.setQueryData(getAlertSettingsQueryKey(), settings),
  });
}

/** The caller's account, for its Telegram link. */
export const useMe = () => useQuery(getMeOptions());

/** The channels whose bot sends alert cards (the first is the one in use). */
export function useAlertBots() {
  return useQuery({ ...listChannelsOptions(), staleTime: 60_000, select: (list) => list.items.filter((c) => c.type === 'telegram' && c.operatorAlerts) });
}

export const useCreateTelegramLink = () => useMutation(createTelegramLinkMutation());

export function useUnlinkTelegram() {
  const queryClient = useQueryClient();
  return useMutation({ ...deleteTelegramLinkMutation(), onSuccess: () => queryClient.invalidateQueries({ queryKey: getMeQueryKey() }) });
}
