import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { message } from '@/testing/data';
import { renderWithProviders } from '@/testing/render';
import { server } from '@/testing/server';
import { SearchBox } from './search-box';

const chatA = '30000000-0000-4000-8000-00000000000a';
const chatB = '30000000-0000-4000-8000-00000000000b';

describe('SearchBox', () => {
  it('groups hits by chat, marks the matched words, and opens the chosen hit from the keyboard', { timeout: 30_000 }, async () => {
    const seen: string[] = [];
    server.use(
      http.get('*/api/v1/search/messages', ({ request }) => {
        seen.push(new URL(request.url).searchParams.get('q') ?? '');
        return HttpResponse.json({
          items: [
            { message: message(chatA, 3, { body: 'Где мой заказ?' }), chat: { id: chatA, title: 'Магазин', type: 'group' }, highlights: [[8, 13]] },
            { message: message(chatB, 7, { body: 'заказы пришли' }), chat: { id: chatB, title: 'Bob', type: 'direct' }, highlights: [[0, 6]] },
          ],
          nextCursor: null,
        });
      }),
    );
    const onOpen = vi.fn();
    renderWithProviders(<SearchBox onOpen={onOpen} />);
    const user = userEvent.setup();
    await user.keyboard('{Control>}k{/Control}');
    const box = screen.getByRole('combobox', { name: 'Search messages' });
    expect(box).toHaveFocus();
    await user.type(box, 'заказы');

    const results = await screen.findByRole('listbox', { name: 'Search results' });
    const shop = await within(results).findByRole('group', { name: 'Магазин' }, { timeout: 10_000 });
    expect(within(shop).getByText('заказ', { selector: 'mark' })).toBeInTheDocument();
    expect(within(results).getByRole('group', { name: 'Bob' })).toBeInTheDocument();
    expect(seen.at(-1)).toBe('заказы');

    await user.keyboard('{ArrowDown}');
    expect(within(results).getAllByRole('option')[1]).toHaveAttribute('aria-selected', 'true');
    await user.keyboard('{Enter}');
    expect(onOpen).toHaveBeenCalledWith(expect.objectContaining({ chat: expect.objectContaining({ id: chatB }) }));
    expect(box).toHaveValue('');
  });
});
