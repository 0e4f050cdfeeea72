/** Nova's prettytable layout lives in @nova/cli (nova-status uses it too). */
export { pyStr, renderTable } from '@nova/cli';
