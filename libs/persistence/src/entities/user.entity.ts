import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '@app/domain';

/** A login. Crew users belong to exactly one company; the database enforces it (users_crew_has_company). */
@Entity({ name: 'users' })
export class UserEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Lower-case, unique. */
  @Column({ type: 'text', unique: true })
  username: string;

  /** The name shown to people (e.g. 王丽); null: show the username. */
  @Column({ name: 'display_name', type: 'text', nullable: true })
  displayName: string | null;

  /** bcrypt hash (salt and cost inside); never leaves the service layer. */
  @Column({ name: 'password_hash', type: 'text' })
  passwordHash: string;

  @Column({ type: 'text' })
  role: Role;

  @Column({ name: 'company_id', type: 'uuid', nullable: true })
  companyId: string | null;

  /** A deactivated user cannot sign in, and its tokens stop working. */
  @Column({ type: 'boolean', default: true })
  active: boolean;

  /** Set by an admin's password reset: until the user picks a new password it may only do that. */
  @Column({ name: 'must_change_password', type: 'boolean', default: false })
  mustChangePassword: boolean;

  /**
   * The version every access token of this user must carry. Raised by a trigger (users_revoke_tokens)
   * whenever the password, role, company or `active` changes, which revokes every earlier token.
   */
  @Column({ name: 'token_version', type: 'int', default: 0 })
  tokenVersion: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
