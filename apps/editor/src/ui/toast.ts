/**
 * Passing news (saved, copied, failed to load) as toasts that go away by themselves (sonner),
 * rather than banners that stay until the page changes. Errors stay longer than news.
 */
import { toast as sonner } from 'sonner';

export const toast = {
  info: (message: string) => sonner(message),
  success: (message: string) => sonner.success(message),
  error: (message: string) => sonner.error(message, { duration: 8000 }),
};
