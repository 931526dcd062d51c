/**
 * The infra checks, one file per concern in checks/, run as one jest file: loading aws-cdk-lib costs
 * some 3 s per test file, and one file lets the checks share each synthesized app (synthApp).
 */
import './checks/data';
import './checks/pipeline';
import './checks/edge';
import './checks/monitoring';
import './checks/compliance';
import './checks/synth';
