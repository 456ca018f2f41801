import { describe, expect, it } from 'vitest';
import { redactUrl } from './log.js';

describe('redactUrl', () => {
  it('leaves the secrets of links out of logged URLs', () => {
    expect(redactUrl('/api/v1/calendar.ics?feed=cbcal_abc&service=payments')).toBe(
      '/api/v1/calendar.ics?feed=[redacted]&service=payments',
    );
    expect(redactUrl('/api/v1/calendar.ics?service=payments&feed=cbcal_abc')).toBe(
      '/api/v1/calendar.ics?service=payments&feed=[redacted]',
    );
    expect(redactUrl('/api/v1/calendar.ics?fe%65d=cbcal_abc')).toBe(
      '/api/v1/calendar.ics?fe%65d=[redacted]',
    );
    expect(redactUrl('/api/v1/auth/oidc/callback?code=abc&state=xyz')).toBe(
      '/api/v1/auth/oidc/callback?code=[redacted]&state=xyz',
    );
    expect(redactUrl('/actions/act_abc.def')).toBe('/actions/[redacted]');
    expect(redactUrl('/actions/act_abc/confirm?x=1')).toBe('/actions/[redacted]/confirm?x=1');
    expect(redactUrl('/external/cbx_secret')).toBe('/external/[redacted]');
  });

  it('keeps everything else', () => {
    for (const url of ['/api/v1/changes?state=pending&q=feed', '/changes/CHG-1', '/actions'])
      expect(redactUrl(url)).toBe(url);
  });
});
