import { signParams } from '../../game/sign.ts';
import { ANSWERS, type ApiAnswer } from './answers.ts';
import type { CodeOptions, CodeStatus, PlayerSpec } from './types.ts';

const REQUIRED_FIELDS = ['fid', 'cdk', 'kid', 'time', 'sign'] as const;

interface Player {
  fid: string;
  kid: number;
  stoveLv: number;
  rechargeMoney: number;
  vip: number;
}

interface Code {
  status: CodeStatus;
  claimLimit: number | undefined;
  sameTypeGroup: string | undefined;
  minStoveLv: number;
  minRechargeMoney: number;
  minVip: number;
  /** fids that got SUCCESS, in order. */
  claimedBy: string[];
}

/**
 * One game's players, codes and claims, and the redeem rules in the order the real server applies them
 * (params, sign, per-player spacing, player, code). Pure state: no HTTP, no clock of its own.
 */
export class GiftCodeWorld {
  private readonly salt: string;
  private readonly players = new Map<string, Player>();
  private readonly codes = new Map<string, Code>();
  /** Groups each player has claimed from, for SAME TYPE EXCHANGE. */
  private readonly groupsClaimed = new Map<string, Set<string>>();
  /** Monotonic time of each fid's last request that passed the spacing check. */
  private readonly lastRequestAt = new Map<string, number>();

  /** What an id the game does not know gets: `role not exist.`, or `USER INFO ERROR.` as the real game also says. */
  private readonly unknownPlayer: ApiAnswer;

  constructor(salt: string, options: { unknownPlayer?: 'role-not-exist' | 'user-info-error' } = {}) {
    this.salt = salt;
    this.unknownPlayer = options.unknownPlayer === 'user-info-error' ? ANSWERS.userInfoError : ANSWERS.roleNotExist;
  }

  addPlayer(p: PlayerSpec): void {
    if (!p.fid) throw new RangeError('player fid must not be empty');
    this.players.set(p.fid, {
      fid: p.fid,
      kid: p.kid,
      stoveLv: p.stoveLv ?? 30,
      rechargeMoney: p.rechargeMoney ?? 0,
      vip: p.vip ?? 0,
    });
  }

  addCode(code: string, o: CodeOptions = {}): void {
    if (!code) throw new RangeError('code must not be empty');
    const existing = this.codes.get(code);
    this.codes.set(code, {
      status: o.status ?? 'valid',
      claimLimit: o.claimLimit,
      sameTypeGroup: o.sameTypeGroup,
      minStoveLv: o.minStoveLv ?? 0,
      minRechargeMoney: o.minRechargeMoney ?? 0,
      minVip: o.minVip ?? 0,
      // Re-adding a code (e.g. to change its options) keeps who already claimed it.
      claimedBy: existing?.claimedBy ?? [],
    });
  }

  setCodeStatus(code: string, status: CodeStatus): void {
    const c = this.codes.get(code);
    if (!c) throw new RangeError(`unknown code: ${code}`);
    c.status = status;
  }

  successes(code: string): string[] {
    return [...(this.codes.get(code)?.claimedBy ?? [])];
  }

  /** Applies one redeem request; `now` is monotonic ms, `spacingMs` 0 disables the per-player check. */
  redeem(fields: Readonly<Record<string, string>>, now: number, spacingMs: number): ApiAnswer {
    for (const name of REQUIRED_FIELDS) {
      if (!fields[name]) return ANSWERS.paramsError;
    }
    // Epoch seconds or milliseconds; anything else is malformed.
    if (!/^[0-9]+$/.test(fields.time as string)) return ANSWERS.paramsError;
    // The server signs whatever it received, extra fields included.
    const { sign, ...rest } = fields;
    if (sign !== signParams(rest, this.salt)) return ANSWERS.signError;

    const fid = fields.fid as string;
    if (spacingMs > 0) {
      const last = this.lastRequestAt.get(fid);
      // Refused requests do not restart the spacing, so a client that waits `spacingMs` after its last accepted
      // request always gets through.
      if (last !== undefined && now - last < spacingMs) return ANSWERS.tooFrequent;
      this.lastRequestAt.set(fid, now);
    }

    const player = this.players.get(fid);
    if (!player) return this.unknownPlayer;
    if (Number(fields.kid) !== player.kid) return ANSWERS.userInfoError;

    const cdk = fields.cdk as string;
    const code = this.codes.get(cdk);
    if (!code) return ANSWERS.notFound;
    if (code.status === 'expired') return ANSWERS.timeError;
    if (code.claimedBy.includes(fid)) return ANSWERS.received;
    if (code.sameTypeGroup !== undefined && this.groupsClaimed.get(fid)?.has(code.sameTypeGroup)) {
      return ANSWERS.sameType;
    }
    if (code.status === 'used-up' || (code.claimLimit !== undefined && code.claimedBy.length >= code.claimLimit)) {
      return ANSWERS.used;
    }
    if (player.stoveLv < code.minStoveLv) return ANSWERS.stoveLv;
    if (player.rechargeMoney < code.minRechargeMoney) return ANSWERS.rechargeMoney;
    if (player.vip < code.minVip) return ANSWERS.rechargeVip;

    code.claimedBy.push(fid);
    if (code.sameTypeGroup !== undefined) {
      let groups = this.groupsClaimed.get(fid);
      if (!groups) this.groupsClaimed.set(fid, (groups = new Set()));
      groups.add(code.sameTypeGroup);
    }
    return ANSWERS.success;
  }
}
