import { renderChart } from '../src/helm/chart';
for (const p of ['eks-efa','openshift-efa','baremetal-ipoib']) renderChart(p, {});
let t0 = process.hrtime.bigint();
for (const p of ['eks-efa','openshift-efa','baremetal-ipoib']) {
  const t = process.hrtime.bigint();
  renderChart(p, {});
  console.log(p, Number(process.hrtime.bigint()-t)/1e6);
}
console.log('total', Number(process.hrtime.bigint()-t0)/1e6);
