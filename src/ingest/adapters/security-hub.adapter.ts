import { type CanonicalAlert } from '../canonical';
import { EntityCollector } from '../normalise/entity.collector';
import { guardDutyTypeMapping, MitreCollector, tacticsFromFindingTypes } from '../normalise/mitre.normaliser';
import { severityFromAsffNormalized, severityFromLabel } from '../normalise/severity.normaliser';
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
  vendorProduct,
  type VendorAdapter,
} from './adapter.kit';

/**
 * AWS Security Hub findings in ASFF (`SchemaVersion 2018-10-08`).
 * Envelopes: `{"Findings": [...]}` (GetFindings / BatchImportFindings), EventBridge
 * `{"detail-type": "Security Hub Findings - ...", "detail": {"findings": [...]}}`, bare arrays.
 *
 * Security Hub aggregates every finding kind on one stream (threat detections, vulnerability
 * findings, control checks): all of them are mapped, so a subscriber never loses a finding; a
 * PASSED control check arrives with its own INFORMATIONAL severity and is left to the pipeline.
 *
 * Severity: `Severity.Label`, else `FindingProviderFields.Severity.Label`, else `Severity.Normalized`
 * (ASFF bands), else medium. Tactics: `Types[]` in the `TTPs/<Tactic>/...` namespace. Techniques:
 * ids written in the types, plus the GuardDuty finding-type table when the product is GuardDuty
 * (`TTPs/Defense Evasion/Stealth:IAMUser-CloudTrailLoggingDisabled` → T1562.008).
 */

/** ASFF resource `Type` → how it becomes an entity. */
function addResource(e: EntityCollector, r: Json): void {
  const type = str(r.Type) ?? 'Other';
  const id = str(r.Id);
  const details = isJson(r.Details) ? r.Details : {};
  const props = { resourceType: type, arn: id, region: r.Region, partition: r.Partition };
  switch (type) {
    case 'AwsEc2Instance': {
      const d = isJson(details.AwsEc2Instance) ? details.AwsEc2Instance : {};
      e.add('host', id, { ...props, imageId: d.ImageId, instanceType: d.Type });
      e.addAll('ip', d.IpV4Addresses, { role: 'instance', instance: id });
      e.addAll('ip', d.IpV6Addresses, { role: 'instance', instance: id });
      break;
    }
    case 'AwsIamAccessKey': {
      const d = isJson(details.AwsIamAccessKey) ? details.AwsIamAccessKey : {};
      e.add('account', str(d.PrincipalName) ?? str(d.UserName) ?? str(d.PrincipalId) ?? id, {
        ...props,
        principalId: d.PrincipalId,
        principalType: d.PrincipalType,
        accessKey: id,
      });
      break;
    }
    case 'AwsIamUser':
      e.add('account', str(get(details, 'AwsIamUser.UserName')) ?? id, props);
      break;
    case 'AwsIamRole':
      e.add('account', str(get(details, 'AwsIamRole.RoleName')) ?? id, props);
      break;
    case 'AwsEc2SecurityGroup': {
      const d = isJson(details.AwsEc2SecurityGroup) ? details.AwsEc2SecurityGroup : {};
      e.add('security-group', str(d.GroupId) ?? id, { ...props, groupName: d.GroupName, vpcId: d.VpcId });
      break;
    }
    default:
      // No EntityType names generic cloud resources (buckets, images, trails, accounts):
      // cloud-application is the spec's only cloud-scoped type, so they are kept under it.
      e.add('cloud-application', id, props);
  }
}

function entitiesOf(f: Json): EntityCollector {
  const e = new EntityCollector();
  for (const r of asJsonArray(f.Resources)) addResource(e, r);
  const net = isJson(f.Network) ? f.Network : {};
  e.add('ip', str(net.SourceIpV4) ?? str(net.SourceIpV6), { role: 'source', port: net.SourcePort });
  e.add('ip', str(net.DestinationIpV4) ?? str(net.DestinationIpV6), { role: 'destination', port: net.DestinationPort });
  e.add('dns', net.SourceDomain, { role: 'source' });
  e.add('dns', net.DestinationDomain, { role: 'destination' });
  const proc = isJson(f.Process) ? f.Process : undefined;
  if (proc) e.add('process', str(proc.Name) ?? str(proc.Path), { path: proc.Path, pid: proc.Pid, parentPid: proc.ParentPid });
  for (const m of asJsonArray(f.Malware)) e.add('malware', m.Name, { type: m.Type, path: m.Path, state: m.State });
  for (const t of asJsonArray(f.ThreatIntelIndicators)) {
    const type = str(t.Type) ?? '';
    const props = { source: t.Source, category: t.Category };
    if (type.startsWith('IPV')) e.add('ip', t.Value, props);
    else if (type === 'DOMAIN') e.add('dns', t.Value, props);
    else if (type === 'URL') e.add('url', t.Value, props);
    else if (type.startsWith('HASH')) e.hash(t.Value, props);
    else if (type === 'EMAIL_ADDRESS') e.add('mailbox', t.Value, props);
    else if (type === 'PROCESS') e.add('process', t.Value, props);
  }
  // GuardDuty's own finding fields survive only as flattened ProductFields.
  if (isJson(f.ProductFields)) {
    for (const [k, v] of Object.entries(f.ProductFields)) {
      if (/remoteIpDetails\/ipAddressV4$/.test(k)) e.add('ip', v, { role: 'remote' });
      const affected = /\/affectedResources\/(.+)$/.exec(k);
      if (affected) e.add('cloud-application', v, { resourceType: affected[1], role: 'affected' });
    }
  }
  return e;
}

function mapFinding(f: Json, path: string): CanonicalAlert {
  const alertId = requireId(f, path, ['Id']);
  const timestamp = requireTimestamp(f, path, ['CreatedAt', 'FirstObservedAt', 'UpdatedAt']);
  const title = requireTitle(f, path, ['Title']);
  const types = [...asArray(f.Types), ...asArray(get(f, 'FindingProviderFields.Types'))];
  const mitre = new MitreCollector().tactic(tacticsFromFindingTypes(types)).technique(types);
  const productName = str(f.ProductName) ?? str(get(f, 'ProductFields.aws/securityhub/ProductName'));
  if (/guardduty/i.test(productName ?? '') || /\/guardduty$/.test(str(f.ProductArn) ?? '')) {
    for (const t of types) {
      const last = typeof t === 'string' ? t.split('/').slice(2).join('/') : undefined;
      const mapped = guardDutyTypeMapping(last);
      mitre.tactic(mapped.tactics).technique(mapped.techniques);
    }
  }
  return buildAlert({
    alertId,
    source: 'security_hub',
    timestamp,
    title,
    description: optionalText(f, ['Description']),
    severity: pickSeverity(
      severityFromLabel(get(f, 'Severity.Label')),
      severityFromLabel(get(f, 'FindingProviderFields.Severity.Label')),
      severityFromAsffNormalized(get(f, 'Severity.Normalized')),
      severityFromLabel(get(f, 'Severity.Original')),
    ),
    tactics: mitre.tactics,
    techniques: mitre.techniques,
    entities: entitiesOf(f).list(),
    product: vendorProduct(f.CompanyName, productName, 'AWS Security Hub'),
    vendorTenantId: str(f.AwsAccountId),
    rawPayload: f,
  });
}

export const securityHubAdapter: VendorAdapter = {
  source: 'security_hub',

  detect(o) {
    if (str(o.source) === 'aws.securityhub') return true;
    const list = o.Findings ?? get(o, 'detail.findings');
    if (Array.isArray(list)) return asJsonArray(list).some((f) => f.ProductArn !== undefined || f.SchemaVersion === '2018-10-08');
    return o.ProductArn !== undefined || (o.SchemaVersion === '2018-10-08' && o.AwsAccountId !== undefined);
  },

  unwrap(o, path) {
    if (isJson(o.detail) && Array.isArray(o.detail.findings)) {
      return o.detail.findings.map((f, i) => ({ path: joinPath(path, `detail.findings[${i}]`), value: f }));
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
