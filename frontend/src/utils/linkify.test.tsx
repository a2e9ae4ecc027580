import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Linkified, splitLinks } from './linkify';

describe('Linkified (unit)', () => {
  it('turns only http and https URLs into links that open safely', () => {
    render(
      <p>
        <Linkified text="see https://example.com/a?b=1, http://x.test and javascript:alert(1) or ftp://files.test" />
      </p>,
    );
    const links = screen.getAllByRole('link');
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['https://example.com/a?b=1', 'http://x.test/']);
    for (const a of links) {
      expect(a).toHaveAttribute('rel', 'noopener noreferrer');
      expect(a).toHaveAttribute('target', '_blank');
    }
    expect(screen.getByText(/javascript:alert\(1\) or ftp:\/\/files\.test/)).toBeInTheDocument();
  });

  it('renders markup as text, never as HTML', () => {
    const { container } = render(
      <p>
        <Linkified text={'<img src=x onerror="alert(1)"><b>bold</b>'} />
      </p>,
    );
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('b')).toBeNull();
    expect(container.textContent).toBe('<img src=x onerror="alert(1)"><b>bold</b>');
  });

  it('leaves sentence punctuation out of the link', () => {
    expect(splitLinks('go to https://example.com/x.')).toEqual([{ text: 'go to ' }, { text: 'https://example.com/x', href: 'https://example.com/x' }, { text: '.' }]);
  });
});
