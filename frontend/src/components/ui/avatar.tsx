import { cn } from '@/utils/cn';

const COLORS = ['bg-blue-500', 'bg-emerald-500', 'bg-amber-500', 'bg-rose-500', 'bg-violet-500', 'bg-cyan-500', 'bg-orange-500'];

export function Avatar({ name, seed, online, className }: { name: string; seed: string; online?: boolean; className?: string }) {
  const color = COLORS[[...seed].reduce((a, c) => a + c.charCodeAt(0), 0) % COLORS.length];
  return (
    <span aria-hidden className={cn('relative inline-flex h-10 w-10 shrink-0 items-center justify-center rounded-full text-sm font-semibold text-white', color, className)}>
      {name.trim().slice(0, 1).toUpperCase() || '?'}
      {online ? <span data-online className="absolute right-0 bottom-0 h-3 w-3 rounded-full border-2 border-white bg-green-500 dark:border-slate-950" /> : null}
    </span>
  );
}
