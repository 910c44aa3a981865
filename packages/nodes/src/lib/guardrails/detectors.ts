/**
 * Finders for personal data and secrets in a text. Each is a cheap, bounded JavaScript pattern
 * that proposes candidates, and a checker that confirms them: validator.js for cards (known
 * issuer prefixes and the Luhn check), IBANs (country format and mod-97), IP addresses, e-mail
 * addresses and checksummed national ids; libphonenumber-js for phone numbers (valid numbering
 * plans, by country). So an order id is not a phone and a 16-digit number failing Luhn is not a
 * card. Every pattern here is linear or bounded: no nested quantifiers, every repeat capped.
 */
import type Validator from 'validator';
import type { CountryCode, isValidPhoneNumber as PhoneCheck } from 'libphonenumber-js/max';
import type { PiiEntity } from './rules.js';

// The checkers are loaded by the first PII rule (loadPiiCheckers), not at start: validator.js and
// libphonenumber's full metadata weigh about 15 MB that a runner with no PII rule never needs.
let isCreditCard: typeof Validator.isCreditCard;
let isEmail: typeof Validator.isEmail;
let isIBAN: typeof Validator.isIBAN;
let isIdentityCard: typeof Validator.isIdentityCard;
let isIP: typeof Validator.isIP;
let isValidPhoneNumber: typeof PhoneCheck;
let loaded: Promise<void> | undefined;

/** Loads what confirms PII candidates; `findPii` needs it done. */
export function loadPiiCheckers(): Promise<void> {
  return (loaded ??= Promise.all([import('validator'), import('libphonenumber-js/max')]).then(([validator, phone]) => {
    ({ isCreditCard, isEmail, isIBAN, isIdentityCard, isIP } = validator.default);
    isValidPhoneNumber = phone.isValidPhoneNumber;
  }));
}

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

// Digits with spaces, dots, dashes or brackets between them; libphonenumber decides.
const PHONE = /(?<![\w#/+.-])(?:\+|\(\d)?\d[\d ().-]{5,22}\d(?![\w])/g;
const CARD = /(?<![\w.-])\d(?:[ -]?\d){12,18}(?![\w-])/g;
const IBAN = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?(?![A-Za-z0-9])/g;
const IPV4 = /(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w]|\.\d)/g;
const SSN = /(?<![\w-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\w-])/g;
const NINO = /(?<![A-Za-z0-9])([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![A-Za-z0-9])/g;
const DNI = /(?<![A-Za-z0-9])[XYZ]?\d{7,8}-?[A-Z](?![A-Za-z0-9])/g;
const AADHAAR = /(?<![\w-])[2-9]\d{3} ?\d{4} ?\d{4}(?![\w-])/g;

const LOCAL_CHAR = /[A-Za-z0-9._%+-]/;
const DOMAIN_CHAR = /[A-Za-z0-9.-]/;

/** Around each `@`: the address characters before it (at most 64) and after it (at most 253). */
function* emailCandidates(text: string): Generator<[number, number]> {
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > 0 && at - start < 64 && LOCAL_CHAR.test(text[start - 1]!)) start--;
    let end = at + 1;
    while (end < text.length && end - at <= 253 && DOMAIN_CHAR.test(text[end]!)) end++;
    while (end > at + 1 && (text[end - 1] === '.' || text[end - 1] === '-')) end--; // a sentence's full stop
    if (start < at && end > at + 1) yield [start, end];
  }
}

const HEX_OR_COLON = /[0-9A-Fa-f:]/;

/** Runs of hex digits and colons holding at least two colons, found from each colon outwards. */
function* ipv6Candidates(text: string): Generator<[number, number]> {
  for (let colon = text.indexOf(':'); colon >= 0; ) {
    let start = colon;
    while (start > 0 && colon - start < 40 && HEX_OR_COLON.test(text[start - 1]!)) start--;
    let end = colon + 1;
    while (end < text.length && end - start < 40 && HEX_OR_COLON.test(text[end]!)) end++;
    const before = text[start - 1];
    const after = text[end];
    const run = text.slice(start, end);
    if (run.indexOf(':') !== run.lastIndexOf(':') && !(before && /[\w.]/.test(before)) && !(after && /\w/.test(after))) yield [start, end];
    colon = text.indexOf(':', end);
  }
}

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
  // Written without `+`, a number is national: no plan has national numbers past 12 digits (a card or an account number is longer).
  if (count < 7 || count > (candidate.startsWith('+') ? 15 : 12)) return false;
  // An IPv4 address or a version is not a phone number either.
  if (/^\d{1,3}(?:\.\d{1,3}){2,3}$/.test(candidate)) return false;
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
  if (!isValidPhoneNumber) throw new Error('findPii before loadPiiCheckers()');
  const want = new Set(entities);
  const spans: Span[] = [];
  const add = (start: number, end: number, kind: string) => spans.push({ start, end, kind });
  if (want.has('email')) {
    for (const [start, end] of emailCandidates(text)) {
      const candidate = text.slice(start, end);
      if (!FILE_SUFFIX.test(candidate) && isEmail(candidate)) add(start, end, 'email');
    }
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
    for (const [start, end] of ipv6Candidates(text)) {
      if (isIP(text.slice(start, end), 6)) add(start, end, 'ip');
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

/**
 * Well-known credential formats. Each pattern starts with its literal prefix (so the engine can
 * skip ahead to it) and the character before it is checked in code; where a secret is the value
 * of something (a password in a URL, a bearer token), group 1 is the secret.
 */
const SECRETS: { kind: string; pattern: RegExp; check?: (value: string) => boolean }[] = [
  { kind: 'anthropic_key', pattern: /sk-ant-[A-Za-z0-9_-]{20,300}/g },
  { kind: 'openai_key', pattern: /sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,300}/g },
  { kind: 'aws_access_key_id', pattern: /(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/g },
  { kind: 'github_token', pattern: /(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,255})/g },
  { kind: 'gitlab_token', pattern: /glpat-[A-Za-z0-9_-]{20,100}/g },
  { kind: 'slack_token', pattern: /xox[abposr]-[A-Za-z0-9-]{10,250}/g },
  { kind: 'stripe_key', pattern: /(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,250}/g },
  { kind: 'google_api_key', pattern: /AIza[0-9A-Za-z_-]{35}(?![\w-])/g },
  { kind: 'jwt', pattern: /eyJ[A-Za-z0-9_-]{8,4000}\.eyJ[A-Za-z0-9_-]{8,8000}\.[A-Za-z0-9_-]{8,4000}/g },
  { kind: 'private_key', pattern: /-----BEGIN (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY-----/g },
  { kind: 'bearer_token', pattern: /Bearer ([A-Za-z0-9._~+/-]{20,1000}=*)/g },
  { kind: 'url_password', pattern: /:\/\/[^\s:/@]{1,100}:([^\s@/]{3,200})@/g },
  {
    kind: 'assigned_secret',
    pattern: /(?:api[_-]?key|apikey|secret(?:[_-]?key)?|access[_-]?token|auth[_-]?token|token|password|passwd|pwd)["']?\s{0,3}[:=]\s{0,3}["']?([^\s"',;]{8,200})/gi,
    // A value, not a word: letters with digits or symbols.
    check: (value) => /[A-Za-z]/.test(value) && /[^A-Za-z]/.test(value),
  },
];

const PRIVATE_KEY_END = /-----END (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY-----/g;
const WORDLIKE = /[\w-]/;

/** Secrets and API keys in `text`, in order, overlaps removed. */
export function findSecrets(text: string): Span[] {
  const spans: Span[] = [];
  for (const { kind, pattern, check } of SECRETS) {
    for (const m of matches(pattern, text)) {
      if (kind === 'url_password') {
        // `scheme://user:password@`: a scheme must come right before.
        if (!/[a-z][a-z0-9+.-]{0,20}$/i.test(text.slice(Math.max(0, m.index - 21), m.index))) continue;
      } else if (m.index > 0 && WORDLIKE.test(text[m.index - 1]!)) {
        continue; // the prefix must start a token: `task-runner` holds no `sk-` key
      }
      const secret = m[1] ?? m[0];
      if (check && !check(secret)) continue;
      // A secret in group 1 ends the match (but for the `@` after a URL's password).
      const start = m[1] === undefined ? m.index : m.index + m[0].length - secret.length - (kind === 'url_password' ? 1 : 0);
      let end = start + secret.length;
      if (kind === 'private_key') {
        // The whole block, header to footer (or to the end of the text when it is cut off).
        PRIVATE_KEY_END.lastIndex = end;
        const footer = PRIVATE_KEY_END.exec(text);
        end = footer ? footer.index + footer[0].length : text.length;
        pattern.lastIndex = end;
      }
      spans.push({ start, end, kind: `secret:${kind}` });
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
