/** Integer minor units (cents) as text for the page, with the currency; exact, no float. Pure. */
export function centsText(cents: number, currency: string, locale: string): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const whole = new Intl.NumberFormat(locale).format(Math.floor(abs / 100));
  return `${sign}${whole}.${String(abs % 100).padStart(2, '0')} ${currency}`;
}
