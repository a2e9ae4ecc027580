/**
 * Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): in a name or a message they reorder what
 * follows them ("invoice‮fdp.exe" shows as "invoiceexe.pdf"), so they are removed wherever text is shown to others.
 */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

export const stripBidiControls = (text: string) => text.replace(BIDI_CONTROLS, '');

/** Blank as a person sees it: nothing but whitespace and invisible format characters (\p{Cf}: zero-width, BOM, …). */
export const isBlankText = (text: string) => text.replace(/[\s\p{Cf}]/gu, '').length === 0;
