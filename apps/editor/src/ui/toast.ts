/**
 * Passing news (saved, copied, failed to load) as toasts that go away by themselves (sonner),
 * rather than banners that stay until the page changes. Errors stay longer than news.
 * Each message is a `status` (sonner's list is a live region but its items have no role), so
 * assistive tech and tests find it as the banner it replaces.
 */
import { createElement } from 'react';
import { toast as sonner } from 'sonner';

const said = (message: string) => createElement('span', { role: 'status' }, message);

export const toast = {
  info: (message: string) => sonner(said(message)),
  success: (message: string) => sonner.success(said(message)),
  error: (message: string) => sonner.error(said(message), { duration: 8000 }),
};
