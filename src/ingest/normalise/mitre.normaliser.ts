/**
 * ATT&CK tactic and technique normalisation. Pure.
 *
 * Tactics become ATT&CK shortnames (`initial-access`). Names in any vendor spelling are slugged
 * (`Defense Evasion`, `DefenseEvasion`, `DEFENSE_EVASION` → `defense-evasion`) and enterprise
 * `TA00xx` ids are looked up. A tactic a vendor states explicitly but ATT&CK does not know
 * (CrowdStrike `MachineLearning`) is kept in slug form, because "where possible" must not lose
 * information; placeholders (`Unknown`, `None`) are dropped. Category-like fields that are only
 * sometimes tactics (Defender `category`) go through `knownTactic`, which keeps ATT&CK names only.
 *
 * Techniques are ids only: `T1234`, `T1234.567`, `AML.T0051`, `AML.T0051.000`, upper-cased and
 * deduplicated. Vendor-private ids (CrowdStrike `CST0000`) and names never become techniques.
 */

const ENTERPRISE_TACTICS: Record<string, string> = {
  TA0043: 'reconnaissance',
  TA0042: 'resource-development',
  TA0001: 'initial-access',
  TA0002: 'execution',
  TA0003: 'persistence',
  TA0004: 'privilege-escalation',
  TA0005: 'defense-evasion',
  TA0006: 'credential-access',
  TA0007: 'discovery',
  TA0008: 'lateral-movement',
  TA0009: 'collection',
  TA0011: 'command-and-control',
  TA0010: 'exfiltration',
  TA0040: 'impact',
};

/** ATT&CK shortnames (enterprise, plus the ICS-only ones a Sentinel tactic list can carry). */
const KNOWN_TACTICS = new Set<string>([
  ...Object.values(ENTERPRISE_TACTICS),
  'evasion',
  'inhibit-response-function',
  'impair-process-control',
]);

const PLACEHOLDERS = new Set(['', 'unknown', 'none', 'null', 'undefined', 'n-a', 'na', 'other', 'tactic-unspecified']);

const ALIASES: Record<string, string> = {
  'command-control': 'command-and-control',
  c2: 'command-and-control',
  'privilege-escalations': 'privilege-escalation',
};

function slug(raw: string): string {
  return raw
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/&/g, ' and ')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Any vendor tactic spelling → ATT&CK shortname, a slug for unknown names, or undefined. */
export function normaliseTactic(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const t = raw.trim();
  if (/^TA\d{4}$/i.test(t)) return ENTERPRISE_TACTICS[t.toUpperCase()];
  const s = slug(t);
  if (PLACEHOLDERS.has(s) || s.length > 64) return undefined;
  return ALIASES[s] ?? s;
}

/** Like `normaliseTactic`, but only ATT&CK tactics survive. */
export function knownTactic(raw: unknown): string | undefined {
  const t = normaliseTactic(raw);
  return t && KNOWN_TACTICS.has(t) ? t : undefined;
}

const TECHNIQUE_RE = /(?<![A-Za-z0-9.])(AML\.T\d{4}(?:\.\d{3})?|T\d{4}(?:\.\d{3})?)(?!\d)/gi;

/** Every ATT&CK/ATLAS technique id inside `value` (strings, numbers ignored, arrays walked). */
export function techniqueIdsIn(value: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (depth > 4) return;
    if (typeof v === 'string') {
      for (const m of v.matchAll(TECHNIQUE_RE)) out.push(m[1].toUpperCase());
    } else if (Array.isArray(v)) {
      for (const x of v) walk(x, depth + 1);
    }
  };
  walk(value, 0);
  return out;
}

/** Collects tactics and techniques in first-seen order, deduplicated. */
export class MitreCollector {
  private readonly tacticSet = new Set<string>();
  private readonly techniqueSet = new Set<string>();

  /** An explicit tactic field (name or TA id); arrays and comma-separated strings are split. */
  tactic(raw: unknown): this {
    for (const part of splitList(raw)) {
      const t = normaliseTactic(part);
      if (t) this.tacticSet.add(t);
    }
    return this;
  }

  /** A category-like field: kept only when it names an ATT&CK tactic. */
  knownTactic(raw: unknown): this {
    for (const part of splitList(raw)) {
      const t = knownTactic(part);
      if (t) this.tacticSet.add(t);
    }
    return this;
  }

  /** Technique ids found anywhere in `raw` (ids only; names are ignored). */
  technique(raw: unknown): this {
    for (const id of techniqueIdsIn(raw)) this.techniqueSet.add(id);
    return this;
  }

  get tactics(): string[] {
    return [...this.tacticSet];
  }

  get techniques(): string[] {
    return [...this.techniqueSet];
  }
}

function splitList(raw: unknown): string[] {
  if (Array.isArray(raw)) return raw.flatMap((x) => splitList(x));
  if (typeof raw !== 'string') return [];
  return raw.split(',').map((s) => s.trim());
}

// ---------------------------------------------------------------------------------------------
// GuardDuty finding types: `ThreatPurpose:ResourceTypeAffected/ThreatFamilyName.DetectionMechanism`
// ---------------------------------------------------------------------------------------------

/**
 * ThreatPurpose → ATT&CK tactic, where GuardDuty's own definition of the purpose is a tactic.
 * Not mapped (no single tactic): UnauthorizedAccess, Trojan, Policy, PenTest, Behavior.
 */
export const GUARDDUTY_PURPOSE_TACTICS: Record<string, string> = {
  Backdoor: 'command-and-control',
  CredentialAccess: 'credential-access',
  CryptoCurrency: 'impact',
  DefenseEvasion: 'defense-evasion',
  Discovery: 'discovery',
  Execution: 'execution',
  Exfiltration: 'exfiltration',
  Impact: 'impact',
  InitialAccess: 'initial-access',
  Persistence: 'persistence',
  PrivilegeEscalation: 'privilege-escalation',
  Recon: 'reconnaissance',
  Stealth: 'defense-evasion',
};

/**
 * Finding-type patterns → technique, only where the finding name states the technique outright.
 * Everything else (e.g. `Impact:S3/MaliciousIPCaller`: a reputation hit, not a technique) maps to
 * no technique rather than a guess.
 */
export const GUARDDUTY_TYPE_TECHNIQUES: ReadonlyArray<readonly [RegExp, string, string]> = [
  [/\/Tor(IPCaller|Client|Relay)\b/, 'T1090.003', 'Tor = Proxy: Multi-hop Proxy'],
  [/\/(SSH|RDP|WinRM)BruteForce\b/, 'T1110', 'Brute Force'],
  [/^CryptoCurrency:|\/CryptoMinerExecuted\b|\/BitcoinDomainRequest\b/, 'T1496', 'Resource Hijacking'],
  [/\/(CloudTrailLoggingDisabled|ServerAccessLoggingDisabled)\b/, 'T1562.008', 'Impair Defenses: Disable or Modify Cloud Logs'],
  [/\/InstanceCredentialExfiltration\b/, 'T1552.005', 'Unsecured Credentials: Cloud Instance Metadata API'],
  [/\/DenialOfService\b/, 'T1498', 'Network Denial of Service'],
  [/^Recon:EC2\/PortProbe/, 'T1595', 'Active Scanning'],
  [/^Recon:EC2\/Portscan\b/, 'T1046', 'Network Service Discovery'],
  [/\/ProcessInjection\b/, 'T1055', 'Process Injection'],
];

/**
 * Accepts the GuardDuty spelling (`Stealth:IAMUser/CloudTrailLoggingDisabled`) and the Security
 * Hub one, where the `/` became `-` (`Stealth:IAMUser-CloudTrailLoggingDisabled`).
 */
export function guardDutyTypeMapping(type: unknown): { tactics: string[]; techniques: string[] } {
  if (typeof type !== 'string') return { tactics: [], techniques: [] };
  let t = type.trim();
  const m = /^([A-Za-z]+):([A-Za-z0-9]+)-(.+)$/.exec(t);
  if (m && !t.includes('/')) t = `${m[1]}:${m[2]}/${m[3]}`;
  const purpose = t.split(':')[0];
  const tactic = GUARDDUTY_PURPOSE_TACTICS[purpose];
  const techniques = GUARDDUTY_TYPE_TECHNIQUES.filter(([re]) => re.test(t)).map(([, id]) => id);
  return { tactics: tactic ? [tactic] : [], techniques: [...new Set(techniques)] };
}

// ---------------------------------------------------------------------------------------------
// GCP Security Command Center `mitreAttack.*Techniques` enum names, with the ids Google documents
// next to each enum value in google/cloud/securitycenter/v1/mitre_attack.proto.
// ---------------------------------------------------------------------------------------------

export const SCC_TECHNIQUES: Record<string, string> = {
  MASQUERADING: 'T1036',
  MATCH_LEGITIMATE_NAME_OR_LOCATION: 'T1036.005',
  BOOT_OR_LOGON_INITIALIZATION_SCRIPTS: 'T1037',
  STARTUP_ITEMS: 'T1037.005',
  NETWORK_SERVICE_DISCOVERY: 'T1046',
  PROCESS_DISCOVERY: 'T1057',
  COMMAND_AND_SCRIPTING_INTERPRETER: 'T1059',
  UNIX_SHELL: 'T1059.004',
  PYTHON: 'T1059.006',
  PERMISSION_GROUPS_DISCOVERY: 'T1069',
  CLOUD_GROUPS: 'T1069.003',
  APPLICATION_LAYER_PROTOCOL: 'T1071',
  DNS: 'T1071.004',
  SOFTWARE_DEPLOYMENT_TOOLS: 'T1072',
  VALID_ACCOUNTS: 'T1078',
  DEFAULT_ACCOUNTS: 'T1078.001',
  LOCAL_ACCOUNTS: 'T1078.003',
  CLOUD_ACCOUNTS: 'T1078.004',
  PROXY: 'T1090',
  EXTERNAL_PROXY: 'T1090.002',
  MULTI_HOP_PROXY: 'T1090.003',
  ACCOUNT_MANIPULATION: 'T1098',
  ADDITIONAL_CLOUD_CREDENTIALS: 'T1098.001',
  SSH_AUTHORIZED_KEYS: 'T1098.004',
  ADDITIONAL_CONTAINER_CLUSTER_ROLES: 'T1098.006',
  INGRESS_TOOL_TRANSFER: 'T1105',
  NATIVE_API: 'T1106',
  BRUTE_FORCE: 'T1110',
  SHARED_MODULES: 'T1129',
  ACCESS_TOKEN_MANIPULATION: 'T1134',
  TOKEN_IMPERSONATION_OR_THEFT: 'T1134.001',
  EXPLOIT_PUBLIC_FACING_APPLICATION: 'T1190',
  DOMAIN_POLICY_MODIFICATION: 'T1484',
  DATA_DESTRUCTION: 'T1485',
  SERVICE_STOP: 'T1489',
  INHIBIT_SYSTEM_RECOVERY: 'T1490',
  RESOURCE_HIJACKING: 'T1496',
  NETWORK_DENIAL_OF_SERVICE: 'T1498',
  CLOUD_SERVICE_DISCOVERY: 'T1526',
  STEAL_APPLICATION_ACCESS_TOKEN: 'T1528',
  ACCOUNT_ACCESS_REMOVAL: 'T1531',
  STEAL_WEB_SESSION_COOKIE: 'T1539',
  CREATE_OR_MODIFY_SYSTEM_PROCESS: 'T1543',
  ABUSE_ELEVATION_CONTROL_MECHANISM: 'T1548',
  UNSECURED_CREDENTIALS: 'T1552',
  MODIFY_AUTHENTICATION_PROCESS: 'T1556',
  IMPAIR_DEFENSES: 'T1562',
  DISABLE_OR_MODIFY_TOOLS: 'T1562.001',
  EXFILTRATION_OVER_WEB_SERVICE: 'T1567',
  EXFILTRATION_TO_CLOUD_STORAGE: 'T1567.002',
  DYNAMIC_RESOLUTION: 'T1568',
  LATERAL_TOOL_TRANSFER: 'T1570',
  MODIFY_CLOUD_COMPUTE_INFRASTRUCTURE: 'T1578',
  CREATE_SNAPSHOT: 'T1578.001',
  CLOUD_INFRASTRUCTURE_DISCOVERY: 'T1580',
  OBTAIN_CAPABILITIES: 'T1588',
  ACTIVE_SCANNING: 'T1595',
  SCANNING_IP_BLOCKS: 'T1595.001',
  CONTAINER_AND_RESOURCE_DISCOVERY: 'T1613',
};

/** ASFF-style `TTPs/<Tactic>/<Name>` type strings → tactic names (Security Hub, OCSF from ASFF). */
export function tacticsFromFindingTypes(types: unknown): string[] {
  if (!Array.isArray(types)) return [];
  const out: string[] = [];
  for (const t of types) {
    if (typeof t !== 'string') continue;
    const parts = t.split('/');
    if (parts[0] === 'TTPs' && parts[1]) {
      const tactic = normaliseTactic(parts[1]);
      if (tactic) out.push(tactic);
    }
  }
  return out;
}
