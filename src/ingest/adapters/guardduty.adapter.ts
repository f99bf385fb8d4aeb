import { type CanonicalAlert } from '../canonical';
import { EntityCollector } from '../normalise/entity.collector';
import { guardDutyTypeMapping, MitreCollector } from '../normalise/mitre.normaliser';
import { severityFromGuardDuty } from '../normalise/severity.normaliser';
import {
  asArray,
  asJsonArray,
  buildAlert,
  type EnvelopeItem,
  get,
  isJson,
  type Json,
  joinPath,
  optionalText,
  pickSeverity,
  requireId,
  requireTimestamp,
  requireTitle,
  str,
  type VendorAdapter,
} from './adapter.kit';

/**
 * Amazon GuardDuty findings (GetFindings JSON / EventBridge `detail`). The AWS CLI and SDKs print
 * the same finding with PascalCase keys (`Id`, `Type`, `Resource`, ...): those are normalised to
 * the API's camelCase before mapping (`rawPayload` keeps the original).
 * Envelopes: `{"Findings": [...]}` / `{"findings": [...]}`, EventBridge `{"detail-type", "detail"}`,
 * bare arrays.
 *
 * Severity: numeric 0.1–10 (thresholds in severity.normaliser.ts). Tactics and techniques come
 * from the finding `type` through the documented table in mitre.normaliser.ts (only mappings the
 * finding name states outright; e.g. `UnauthorizedAccess:IAMUser/TorIPCaller` → T1090.003,
 * `Impact:EC2/WinRMBruteForce` → impact + T1110, `Impact:S3/MaliciousIPCaller` → impact only).
 * Entities: the instance (host, its private/public IPs, security groups), the access key's IAM
 * user, S3 buckets (cloud-application), and the remote/local IPs and domains of `service.action`.
 */

function camelKeys(v: unknown, depth = 0): unknown {
  if (depth > 16) return v;
  if (Array.isArray(v)) return v.map((x) => camelKeys(x, depth + 1));
  if (!isJson(v)) return v;
  const out: Json = {};
  for (const [k, val] of Object.entries(v)) {
    // `AccountId` → `accountId`, `S3BucketDetails` → `s3BucketDetails`; resource-type keys
    // such as `AWS::S3::Bucket` are data, not field names, and stay as they are.
    const key = /^[A-Z]/.test(k) && !k.includes(':') ? k[0].toLowerCase() + k.slice(1) : k;
    out[key] = camelKeys(val, depth + 1);
  }
  return out;
}

function addRemote(e: EntityCollector, details: unknown, role: string): void {
  if (!isJson(details)) return;
  e.add('ip', str(details.ipAddressV4) ?? str(details.ipAddressV6), {
    role,
    asn: get(details, 'organization.asn'),
    asnOrg: get(details, 'organization.asnOrg'),
    isp: get(details, 'organization.isp'),
    country: get(details, 'country.countryName'),
    city: get(details, 'city.cityName'),
  });
}

function entitiesOf(f: Json): EntityCollector {
  const e = new EntityCollector();
  const r = isJson(f.resource) ? f.resource : {};
  const inst = isJson(r.instanceDetails) ? r.instanceDetails : undefined;
  if (inst) {
    // resourceRole ACTOR = the instance is the attacker (e.g. outbound brute force), TARGET = victim
    e.add('host', inst.instanceId, { resourceRole: get(f, 'service.resourceRole'), instanceType: inst.instanceType, imageId: inst.imageId, platform: inst.platform, availabilityZone: inst.availabilityZone, state: inst.instanceState });
    for (const ni of asJsonArray(inst.networkInterfaces)) {
      e.add('ip', ni.privateIpAddress, { role: 'instance private', instance: inst.instanceId });
      for (const p of asJsonArray(ni.privateIpAddresses)) e.add('ip', p.privateIpAddress, { role: 'instance private', instance: inst.instanceId });
      e.add('ip', ni.publicIp, { role: 'instance public', instance: inst.instanceId });
      for (const sg of asJsonArray(ni.securityGroups)) e.add('security-group', str(sg.groupId) ?? str(sg.groupName), { groupName: sg.groupName, vpcId: ni.vpcId });
    }
  }
  const key = isJson(r.accessKeyDetails) ? r.accessKeyDetails : undefined;
  if (key) e.add('account', str(key.userName) ?? str(key.principalId), { principalId: key.principalId, accessKeyId: key.accessKeyId, userType: key.userType });
  for (const b of asJsonArray(r.s3BucketDetails)) e.add('cloud-application', str(b.name) ?? str(b.arn), { resourceType: 'AWS::S3::Bucket', arn: b.arn, bucketType: b.type });
  const eks = isJson(r.eksClusterDetails) ? r.eksClusterDetails : undefined;
  if (eks) e.add('cloud-application', str(eks.name) ?? str(eks.arn), { resourceType: 'AWS::EKS::Cluster', arn: eks.arn });
  const action = get(f, 'service.action');
  if (isJson(action)) {
    const net = isJson(action.networkConnectionAction) ? action.networkConnectionAction : undefined;
    if (net) {
      addRemote(e, net.remoteIpDetails, `remote (${str(net.connectionDirection)?.toLowerCase() ?? 'unknown'} connection)`);
      e.add('ip', get(net, 'localIpDetails.ipAddressV4'), { role: 'local' });
    }
    const api = isJson(action.awsApiCallAction) ? action.awsApiCallAction : undefined;
    if (api) {
      addRemote(e, api.remoteIpDetails, 'api caller');
      e.add('dns', get(api, 'domainDetails.domain'));
      if (isJson(api.affectedResources)) {
        for (const [type, id] of Object.entries(api.affectedResources)) e.add('cloud-application', id, { resourceType: type });
      }
    }
    e.add('dns', get(action, 'dnsRequestAction.domain'), { role: 'queried' });
    for (const p of asJsonArray(get(action, 'portProbeAction.portProbeDetails'))) addRemote(e, p.remoteIpDetails, 'prober');
    addRemote(e, get(action, 'kubernetesApiCallAction.remoteIpDetails'), 'kubernetes api caller');
    addRemote(e, get(action, 'rdsLoginAttemptAction.remoteIpDetails'), 'rds login');
  }
  return e;
}

function mapFinding(original: Json, path: string): CanonicalAlert {
  const f = original.Id !== undefined && original.id === undefined ? (camelKeys(original) as Json) : original;
  const alertId = requireId(f, path, ['id', 'arn']);
  const timestamp = requireTimestamp(f, path, ['createdAt', 'updatedAt', 'service.eventFirstSeen']);
  const title = requireTitle(f, path, ['title', 'type']);
  const mapped = guardDutyTypeMapping(f.type);
  const mitre = new MitreCollector().tactic(mapped.tactics).technique(mapped.techniques);
  return buildAlert({
    alertId,
    source: 'guardduty',
    timestamp,
    title,
    description: optionalText(f, ['description']),
    severity: pickSeverity(severityFromGuardDuty(f.severity)),
    tactics: mitre.tactics,
    techniques: mitre.techniques,
    entities: entitiesOf(f).list(),
    product: 'Amazon GuardDuty',
    vendorTenantId: str(f.accountId),
    rawPayload: original,
  });
}

export const guarddutyAdapter: VendorAdapter = {
  source: 'guardduty',

  detect(o) {
    if (str(o.source) === 'aws.guardduty') return true;
    const list = o.Findings ?? o.findings;
    if (Array.isArray(list)) return asJsonArray(list).some((f) => (f.type ?? f.Type) !== undefined && (f.service ?? f.Service) !== undefined);
    const arn = str(o.arn ?? o.Arn) ?? '';
    return arn.includes(':guardduty:') && arn.includes('/finding/') && o.ProductArn === undefined;
  },

  unwrap(o, path) {
    if (isJson(o.detail) && (o['detail-type'] !== undefined || o.source !== undefined)) {
      return [{ path: joinPath(path, 'detail'), value: o.detail }];
    }
    for (const key of ['Findings', 'findings']) {
      if (Array.isArray(o[key])) return asArray(o[key]).map((f, i) => ({ path: joinPath(path, `${key}[${i}]`), value: f }));
    }
    return [{ path, value: o }];
  },

  map({ value, path }: EnvelopeItem & { value: Json }) {
    return mapFinding(value, path);
  },
};
