import { messageIdFor } from './mailer';

describe('Message-ID', () => {
  it('is derived from the message key under the domain of the From, the same every time', () => {
    expect(messageIdFor('3f0c9a52-1b7e-4c55-9a43-2f1e0d6b7c10', 'Atrium <no-reply@atrium.local>')).toBe('<3f0c9a52-1b7e-4c55-9a43-2f1e0d6b7c10@atrium.local>');
    expect(messageIdFor('n1', 'bookings@example.com')).toBe('<n1@example.com>');
    expect(messageIdFor('n1', 'Atrium <no-reply@atrium.local>')).toBe(messageIdFor('n1', 'Atrium <no-reply@atrium.local>'));
  });

  it('falls back to atrium.local when the From has no domain', () => {
    expect(messageIdFor('n1', 'Atrium')).toBe('<n1@atrium.local>');
  });
});
