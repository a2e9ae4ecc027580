import type { ChannelResponseDto } from '@messenger/api-client';
import { useState } from 'react';
import { Link } from 'react-router';
import { Button } from '@/components/ui/button';
import { Field, inputClass } from '@/components/ui/field';
import type { ApiError } from '@/lib/api-client';
import { useT } from '@/lib/i18n';
import { useChannels, useUpdateChannel } from '../api';

/** Channel settings: a website channel's embed snippet, and each channel's AI agent (admins change them; the server refuses anyone else). */
export function ChannelSettingsPage() {
  const t = useT();
  const channels = useChannels();
  const items = channels.data?.items ?? [];
  return (
    <main className="mx-auto w-full max-w-3xl space-y-4 overflow-y-auto p-4">
      <div className="flex items-center gap-2">
        <h1 className="text-lg font-semibold">{t('inbox.channels.title')}</h1>
        <Link to="/inbox" className="ml-auto text-sm text-blue-600 underline">
          {t('inbox.nav')}
        </Link>
      </div>
      {channels.isSuccess && items.length === 0 ? <p className="text-sm text-slate-500">{t('inbox.channels.empty')}</p> : null}
      {items.map((channel) => (
        <section key={channel.id} className="space-y-2">
          {channel.embedSnippet ? <EmbedSnippet name={channel.name} snippet={channel.embedSnippet} /> : null}
          <AiSettingsForm channel={channel} />
        </section>
      ))}
    </main>
  );
}

export interface AiSettingsFormProps {
  channel: ChannelResponseDto;
}

export function AiSettingsForm({ channel }: AiSettingsFormProps) {
  const t = useT();
  const update = useUpdateChannel();
  const ai = channel.ai;
  const [enabled, setEnabled] = useState(ai?.enabled ?? false);
  const [mode, setMode] = useState<'auto' | 'draft'>(ai?.mode ?? 'auto');
  const [model, setModel] = useState(ai?.model ?? '');
  const [systemPrompt, setSystemPrompt] = useState(ai?.systemPrompt ?? '');
  const [temperature, setTemperature] = useState(ai?.temperature === undefined ? '' : String(ai.temperature));
  const [keywords, setKeywords] = useState((ai?.handoffKeywords ?? []).join(', '));
  const [fallbackText, setFallbackText] = useState(ai?.fallbackText ?? '');
  const [agentName, setAgentName] = useState(ai?.agentName ?? '');
  const error = (update.error as ApiError | null)?.message;
  const title = `${t('inbox.ai.title')}: ${channel.name}`;

  const save = () =>
    update.mutate({
      path: { id: channel.id },
      body: {
        ai: {
          enabled,
          mode,
          model: model.trim() || undefined,
          systemPrompt,
          fallbackText,
          ...(temperature.trim() ? { temperature: Number(temperature) } : {}),
          ...(keywords.trim() ? { handoffKeywords: keywords.split(',').map((k) => k.trim()).filter(Boolean) } : {}),
          ...(agentName.trim() ? { agentName: agentName.trim() } : {}),
        },
      },
    });

  return (
    <form
      aria-label={title}
      className="space-y-2 rounded-lg border border-slate-200 p-3 dark:border-slate-800"
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
    >
      <h2 className="font-semibold">{title}</h2>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
        {t('inbox.ai.enabled')}
      </label>
      <label className="block space-y-1 text-sm font-medium">
        <span>{t('inbox.ai.mode')}</span>
        <select value={mode} onChange={(e) => setMode(e.target.value as 'auto' | 'draft')} className={inputClass}>
          <option value="auto">{t('inbox.ai.mode.auto')}</option>
          <option value="draft">{t('inbox.ai.mode.draft')}</option>
        </select>
      </label>
      <Field label={t('inbox.ai.model')} value={model} onChange={(e) => setModel(e.target.value)} />
      <label className="block space-y-1 text-sm font-medium">
        <span>{t('inbox.ai.systemPrompt')}</span>
        <textarea value={systemPrompt} rows={4} onChange={(e) => setSystemPrompt(e.target.value)} className={inputClass} />
      </label>
      <Field label={t('inbox.ai.temperature')} inputMode="decimal" value={temperature} onChange={(e) => setTemperature(e.target.value)} />
      <Field label={t('inbox.ai.keywords')} value={keywords} onChange={(e) => setKeywords(e.target.value)} />
      <Field label={t('inbox.ai.fallbackText')} value={fallbackText} onChange={(e) => setFallbackText(e.target.value)} />
      <Field label={t('inbox.ai.agentName')} value={agentName} onChange={(e) => setAgentName(e.target.value)} />
      <div className="flex items-center gap-2">
        <Button type="submit" disabled={update.isPending}>
          {t('inbox.ai.save')}
        </Button>
        {update.isSuccess ? <span role="status" className="text-sm text-emerald-700">{t('inbox.ai.saved')}</span> : null}
        {error ? (
          <span role="alert" className="text-sm text-red-600">
            {error}
          </span>
        ) : null}
      </div>
    </form>
  );
}

/** The `<script>` tag a site pastes into its pages, with a copy button. */
export function EmbedSnippet({ name, snippet }: { name: string; snippet: string }) {
  const t = useT();
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    await navigator.clipboard.writeText(snippet);
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  };
  return (
    <div className="space-y-1 rounded border border-slate-200 p-3 dark:border-slate-800">
      <label className="block text-sm font-medium" htmlFor={`snippet-${name}`}>
        {t('inbox.channels.embed', { name })}
      </label>
      <textarea id={`snippet-${name}`} readOnly value={snippet} rows={2} className={`${inputClass} font-mono text-xs`} onFocus={(e) => e.target.select()} />
      <Button size="sm" variant="secondary" onClick={() => void copy()}>
        {copied ? t('inbox.channels.copied') : t('inbox.channels.copy')}
      </Button>
    </div>
  );
}
