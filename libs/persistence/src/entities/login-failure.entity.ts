import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Failed sign-ins in the current window of one client address or one username, shared by every API
 * replica (libs/auth/src/login-throttle.service.ts reads and writes it).
 */
@Entity({ name: 'login_failures' })
export class LoginFailureEntity {
  @PrimaryColumn({ type: 'text' })
  scope: 'address' | 'username';

  /** The normalised client address (an IPv6 one as its /64) or the lower-case username. */
  @PrimaryColumn({ type: 'text' })
  subject: string;

  @Column({ type: 'int' })
  failures: number;

  @Column({ name: 'window_started_at', type: 'timestamptz' })
  windowStartedAt: Date;
}
