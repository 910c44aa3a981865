/**
 * Finders for personal data and secrets in a text. Each is a cheap, bounded JavaScript pattern
 * that proposes candidates, and a checker that confirms them: validator.js for cards (known
 * issuer prefixes and the Luhn check), IBANs (country format and mod-97), IP addresses, e-mail
 * addresses and checksummed national ids; libphonenumber-js for phone numbers (valid numbering
 * plans, by country). So an order id is not a phone and a 16-digit number failing Luhn is not a
 * card. Every pattern here is linear or bounded: no nested quantifiers, every repeat capped.
 */
import validator from 'validator';
import { isValidPhoneNumber, type CountryCode } from 'libphonenumber-js/max';
import type { PiiEntity } from './rules.js';

const { isCreditCard, isEmail, isIBAN, isIdentityCard, isIP } = validator;

export interface Span {
  start: number;
  end: number;
  /** What was found: `email`, `card`, `secret:github_token`, `term`, `match`. */
  kind: string;
}

function* matches(pattern: RegExp, text: string): Generator<RegExpExecArray> {
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    if (m[0] === '') pattern.lastIndex++;
    yield m;
  }
}

const EMAIL = /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}/g;
// Digits with spaces, dots, dashes or brackets between them; libphonenumber decides.
const PHONE = /(?<![\w#/+.-])(?:\+|\(\d)?\d[\d ().-]{5,22}\d(?![\w])/g;
const CARD = /(?<![\w.-])\d(?:[ -]?\d){12,18}(?![\w-])/g;
const IBAN = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?(?![A-Za-z0-9])/g;
const IPV4 = /(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w]|\.\d)/g;
const IPV6 = /(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])/g;
const SSN = /(?<![\w-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\w-])/g;
const NINO = /(?<![A-Za-z0-9])([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![A-Za-z0-9])/g;
const DNI = /(?<![A-Za-z0-9])[XYZ]?\d{7,8}-?[A-Z](?![A-Za-z0-9])/g;
const AADHAAR = /(?<![\w-])[2-9]\d{3} ?\d{4} ?\d{4}(?![\w-])/g;

// `icon@2x.png` is a file name, not an address.
const FILE_SUFFIX = /\.(?:png|jpe?g|gif|svg|webp|avif|ico|bmp|tiff?|pdf)$/i;

const digits = (s: string) => s.replace(/\D/g, '');

function validSsn(m: RegExpExecArray): boolean {
  const [area, group, serial] = [m[1]!, m[3]!, m[4]!];
  return area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
}

const NINO_NEVER = new Set(['BG', 'GB', 'NK', 'KN', 'TN', 'NT', 'ZZ']);

/** An IBAN written in groups may run into a following word in capitals; shorten it group by group until it checks. */
function ibanEnd(candidate: string): number | undefined {
  for (let end = candidate.length; end >= 15; ) {
    if (isIBAN(candidate.slice(0, end).replace(/ /g, ''))) return end;
    const space = candidate.lastIndexOf(' ', end - 1);
    if (space < 0) return undefined;
    end = space;
  }
  return undefined;
}

function phoneOk(candidate: string, country: CountryCode): boolean {
  const count = digits(candidate).length;
  if (count < 7 || count > 15) return false;
  // A date or a version is not a phone number.
  if (/^\d{4}[-./]\d{1,2}[-./]\d{1,2}$/.test(candidate) || /^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$/.test(candidate)) return false;
  try {
    return isValidPhoneNumber(candidate, country);
  } catch {
    return false;
  }
}

/** Personal data of the given kinds in `text`, in order, overlaps removed. */
export function findPii(text: string, entities: readonly PiiEntity[], country: string): Span[] {
  const want = new Set(entities);
  const spans: Span[] = [];
  const add = (start: number, end: number, kind: string) => spans.push({ start, end, kind });
  if (want.has('email') && text.includes('@')) {
    for (const m of matches(EMAIL, text)) if (!FILE_SUFFIX.test(m[0]) && isEmail(m[0])) add(m.index, m.index + m[0].length, 'email');
  }
  if (want.has('card')) {
    for (const m of matches(CARD, text)) if (isCreditCard(digits(m[0]))) add(m.index, m.index + m[0].length, 'card');
  }
  if (want.has('iban')) {
    for (const m of matches(IBAN, text)) {
      const end = ibanEnd(m[0]);
      if (end !== undefined) add(m.index, m.index + end, 'iban');
    }
  }
  if (want.has('ip')) {
    for (const m of matches(IPV4, text)) if (isIP(m[0], 4)) add(m.index, m.index + m[0].length, 'ip');
    if (text.includes(':')) {
      for (const m of matches(IPV6, text)) if (/[0-9A-Fa-f]/.test(m[0]) && isIP(m[0], 6)) add(m.index, m.index + m[0].length, 'ip');
    }
  }
  if (want.has('national_id')) {
    for (const m of matches(SSN, text)) if (validSsn(m)) add(m.index, m.index + m[0].length, 'national_id');
    for (const m of matches(NINO, text)) if (!NINO_NEVER.has(m[1]!)) add(m.index, m.index + m[0].length, 'national_id');
    for (const m of matches(DNI, text)) if (isIdentityCard(m[0].replace('-', ''), 'ES')) add(m.index, m.index + m[0].length, 'national_id');
    for (const m of matches(AADHAAR, text)) if (isIdentityCard(m[0], 'IN')) add(m.index, m.index + m[0].length, 'national_id');
  }
  if (want.has('phone')) {
    // After the others: a card or an id that was found is not also a phone number.
    const taken = sortSpans(spans);
    for (const m of matches(PHONE, text)) {
      const start = m.index;
      const end = start + m[0].length;
      if (taken.some((s) => s.start < end && start < s.end)) continue;
      if (phoneOk(m[0], country as CountryCode)) add(start, end, 'phone');
    }
  }
  return sortSpans(spans);
}

/** Well-known credential formats. The generic assignment pattern keeps only the value (group 1). */
const SECRETS: { kind: string; pattern: RegExp; check?: (value: string) => boolean }[] = [
  { kind: 'anthropic_key', pattern: /(?<![\w-])sk-ant-[A-Za-z0-9_-]{20,300}/g },
  { kind: 'openai_key', pattern: /(?<![\w-])sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,300}/g },
  { kind: 'aws_access_key_id', pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/g },
  { kind: 'github_token', pattern: /(?<![\w-])(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,255})/g },
  { kind: 'gitlab_token', pattern: /(?<![\w-])glpat-[A-Za-z0-9_-]{20,100}/g },
  { kind: 'slack_token', pattern: /(?<![\w-])xox[abposr]-[A-Za-z0-9-]{10,250}/g },
  { kind: 'stripe_key', pattern: /(?<![\w-])(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,250}/g },
  { kind: 'google_api_key', pattern: /(?<![\w-])AIza[0-9A-Za-z_-]{35}(?![\w-])/g },
  { kind: 'jwt', pattern: /(?<![\w-])eyJ[A-Za-z0-9_-]{8,4000}\.eyJ[A-Za-z0-9_-]{8,8000}\.[A-Za-z0-9_-]{8,4000}/g },
  { kind: 'private_key', pattern: /-----BEGIN (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY-----/g },
  { kind: 'bearer_token', pattern: /(?<=\bBearer )[A-Za-z0-9._~+/-]{20,1000}=*/g },
  { kind: 'url_password', pattern: /(?<=\b[a-z][a-z0-9+.-]{1,20}:\/\/[^\s:/@]{1,100}:)[^\s@/]{3,200}(?=@)/g },
  {
    kind: 'assigned_secret',
    pattern: /(?<=\b(?:api[_-]?key|apikey|secret(?:[_-]?key)?|access[_-]?token|auth[_-]?token|token|password|passwd|pwd)["']?\s{0,3}[:=]\s{0,3}["']?)[^\s"',;]{8,200}/gi,
    // A value, not a word: letters with digits or symbols.
    check: (value) => /[A-Za-z]/.test(value) && /[^A-Za-z]/.test(value),
  },
];

const PRIVATE_KEY_END = /-----END (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY-----/g;

/** Secrets and API keys in `text`, in order, overlaps removed. */
export function findSecrets(text: string): Span[] {
  const spans: Span[] = [];
  for (const { kind, pattern, check } of SECRETS) {
    for (const m of matches(pattern, text)) {
      if (check && !check(m[0])) continue;
      let end = m.index + m[0].length;
      if (kind === 'private_key') {
        // The whole block, header to footer (or to the end of the text when it is cut off).
        PRIVATE_KEY_END.lastIndex = end;
        const footer = PRIVATE_KEY_END.exec(text);
        end = footer ? footer.index + footer[0].length : text.length;
        pattern.lastIndex = end;
      }
      spans.push({ start: m.index, end, kind: `secret:${kind}` });
    }
  }
  return sortSpans(spans);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/** One pattern for a list of literal terms: case-insensitive, whole words unless told otherwise. */
export function termsPattern(terms: readonly string[], wholeWords: boolean): RegExp {
  // Longest first, so "credit card" wins over "card" where both are listed.
  const body = [...new Set(terms.map((t) => t.trim()).filter(Boolean))].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|');
  return wholeWords ? new RegExp(`(?<![\\p{L}\\p{N}_])(?:${body})(?![\\p{L}\\p{N}_])`, 'giu') : new RegExp(`(?:${body})`, 'giu');
}

export function findTerms(text: string, pattern: RegExp): Span[] {
  return [...matches(pattern, text)].map((m) => ({ start: m.index, end: m.index + m[0].length, kind: 'term' }));
}

/** Sorted by start; of two overlapping spans the one that starts first (or is longer) stays. */
export function sortSpans(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Span[] = [];
  for (const s of sorted) {
    const last = kept[kept.length - 1];
    if (last && s.start < last.end) continue;
    kept.push(s);
  }
  return kept;
}
