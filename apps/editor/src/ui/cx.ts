/** Class names joined, falsy ones left out (clsx). */
export { clsx as cx } from 'clsx';
