#!/usr/bin/env node
/**
 * Generates test/fixtures/corpus/benign.txt: everyday command lines of
 * administrators, developers and CI jobs, including the look-alikes that trip
 * naive rules. Deterministic (seeded), so a re-run gives the same file.
 *
 * Every line of test/fixtures/corpus/near-misses.txt is included verbatim: the
 * near-misses written for the first 95 rules when the pack was planned (they
 * were the plan's `noMatch` examples), so they are exercised as benign traffic.
 *
 * Usage: node scripts/corpus/generate-benign.mjs [--out FILE] [--count N]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const outFile = resolve(root, argValue('--out') ?? 'test/fixtures/corpus/benign.txt');
const target = Number(argValue('--count') ?? 3400);

/** @param {string} name @returns {string | undefined} */
function argValue(name) {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

// mulberry32: small, fast, good enough for picking corpus pieces reproducibly.
let seed = 0x5eed2024;
/** @returns {number} in [0, 1) */
function rand() {
  seed |= 0;
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
/** @type {<T>(xs: readonly T[]) => T} */
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
/** @type {(lo: number, hi: number) => number} */
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
/** @type {(p: number, s: string) => string} */
const maybe = (p, s) => (rand() < p ? s : '');
/** @type {(n: number) => string} */
const pad = (n) => String(n).padStart(2, '0');
const date = () => `2024-${pad(int(1, 12))}-${pad(int(1, 28))}`;
const sha = () => Array.from({ length: 7 }, () => '0123456789abcdef'[int(0, 15)]).join('');
const ver = () => `${int(0, 4)}.${int(0, 30)}.${int(0, 12)}`;

// ---- vocabulary -----------------------------------------------------------
const envs = ['prod', 'staging', 'dev', 'qa', 'perf'];
const roles = [
  'web',
  'api',
  'db',
  'cache',
  'worker',
  'queue',
  'search',
  'build',
  'log',
  'mon',
  'lb',
  'bastion',
  'ci',
  'k8s-node',
  'gw',
];
const domains = ['corp.example', 'internal.example', 'eu-west.corp.example', 'lab.example'];
const host = () => `${pick(roles)}-${pad(int(1, 24))}${maybe(0.5, `.${pick(domains)}`)}`;
const ip = () => `10.${int(0, 60)}.${int(0, 31)}.${int(2, 250)}`;
const users = [
  'deploy',
  'alice',
  'bob',
  'carol',
  'dmitri',
  'ci',
  'ansible',
  'ubuntu',
  'ec2-user',
  'jenkins',
  'gitlab-runner',
  'postgres',
  'www-data',
  'svc-backup',
  'nagios',
  'priya',
  'tomas',
];
const apps = [
  'billing-api',
  'checkout',
  'auth-service',
  'search-indexer',
  'notifications',
  'reporting',
  'inventory',
  'gateway',
  'payments',
  'media-resizer',
  'webhooks',
  'scheduler',
  'ledger',
  'catalog',
];
const services = [
  'nginx',
  'postgresql',
  'mysql',
  'redis-server',
  'docker',
  'containerd',
  'kubelet',
  'sshd',
  'ssh',
  'cron',
  'rsyslog',
  'chronyd',
  'haproxy',
  'apache2',
  'httpd',
  'php8.2-fpm',
  'elasticsearch',
  'kafka',
  'zookeeper',
  'prometheus',
  'node_exporter',
  'grafana-server',
  'filebeat',
  'td-agent-bit',
  'memcached',
  'rabbitmq-server',
  'mongod',
  'postfix',
  'named',
  'nfs-server',
  'smbd',
  'jenkins',
  'gitlab-runner',
  'consul',
  'vault',
  'nomad',
  'systemd-resolved',
  'NetworkManager',
  'unattended-upgrades',
  'fail2ban',
  'snapd',
  'cups',
];
const appUnits = () => `${pick(apps)}${maybe(0.3, pick(['-worker', '-api', '-cron', '@1', '@2']))}`;
const namespaces = [
  'default',
  'kube-system',
  'monitoring',
  'ingress-nginx',
  'payments',
  'checkout',
  'platform',
  'logging',
  'cert-manager',
  'argocd',
  'staging',
  'prod',
  'data',
];
const aptPkgs = [
  'nginx',
  'htop',
  'jq',
  'curl',
  'git',
  'vim',
  'tmux',
  'build-essential',
  'postgresql-client-16',
  'python3-venv',
  'python3-pip',
  'unzip',
  'zip',
  'rsync',
  'net-tools',
  'dnsutils',
  'iotop',
  'sysstat',
  'ncdu',
  'tree',
  'ripgrep',
  'fd-find',
  'certbot',
  'python3-certbot-nginx',
  'chrony',
  'logrotate',
  'nfs-common',
  'awscli',
  'openjdk-21-jre-headless',
  'redis-tools',
  'mariadb-client',
  'ca-certificates',
  'gnupg',
  'lsb-release',
  'apt-transport-https',
  'software-properties-common',
  'fail2ban',
  'ufw',
  'auditd',
  'acl',
  'lvm2',
  'xfsprogs',
  'smartmontools',
  'nvme-cli',
  'tcpdump',
  'strace',
  'socat',
  'netcat-openbsd',
  'traceroute',
  'mtr-tiny',
  'whois',
  'pv',
  'parallel',
  'shellcheck',
  'make',
  'cmake',
  'pkg-config',
  'libssl-dev',
  'zlib1g-dev',
  'nodejs',
  'golang-go',
  'podman',
  'buildah',
  'skopeo',
];
const rpmPkgs = [
  'nginx',
  'htop',
  'jq',
  'git',
  'vim-enhanced',
  'tmux',
  'wget',
  'bind-utils',
  'postgresql16',
  'python3.11',
  'gcc',
  'make',
  'policycoreutils-python-utils',
  'setroubleshoot-server',
  'firewalld',
  'chrony',
  'epel-release',
  'dnf-plugins-core',
  'yum-utils',
  'lvm2',
  'nfs-utils',
  'sysstat',
  'tcpdump',
  'strace',
  'lsof',
  'rsync',
  'tar',
  'unzip',
  'openssl',
  'java-21-openjdk',
  'podman',
  'container-selinux',
];
const npmPkgs = [
  'express',
  'typescript',
  'eslint',
  'prettier',
  'vitest',
  'jest',
  'react',
  'react-dom',
  'next',
  'lodash',
  'axios',
  'zod',
  'dotenv',
  'pino',
  'kafkajs',
  'pg',
  'ioredis',
  '@types/node',
  'ts-node',
  'tsx',
  'nodemon',
  'webpack',
  'vite',
  '@nestjs/core',
  'date-fns',
  'uuid',
  'commander',
  'yargs',
  'chalk',
  'fastify',
];
const pipPkgs = [
  'requests',
  'boto3',
  'pandas',
  'numpy',
  'flask',
  'django',
  'fastapi',
  'uvicorn',
  'gunicorn',
  'pytest',
  'black',
  'ruff',
  'mypy',
  'sqlalchemy',
  'psycopg2-binary',
  'celery',
  'redis',
  'pyyaml',
  'jinja2',
  'ansible-core',
  'httpx',
  'pydantic',
  'alembic',
  'click',
  'rich',
  'poetry',
  'pre-commit',
  'tox',
  'awscli',
  'kubernetes',
];
const repos = [
  'platform/infra',
  'payments/billing-api',
  'web/storefront',
  'data/etl-jobs',
  'ops/ansible',
  'ops/runbooks',
  'sre/alerting',
  'mobile/api-gateway',
  'security/policies',
  'ml/feature-store',
];
const branches = [
  'main',
  'develop',
  'release/1.14',
  'feature/invoice-export',
  'fix/timeout-retry',
  'chore/deps-bump',
  'hotfix/null-currency',
  'feature/k8s-probes',
  'refactor/logging',
  'feat/sso-login',
  'release/2024.11',
];
const images = [
  'nginx:1.27',
  'postgres:16',
  'redis:7-alpine',
  'node:20-alpine',
  'python:3.12-slim',
  'golang:1.23',
  'alpine:3.20',
  'ubuntu:24.04',
  'busybox:1.36',
  'grafana/grafana:11.3.0',
  'prom/prometheus:v2.55.0',
  'mysql:8.4',
  'rabbitmq:3.13-management',
  'registry.corp.example/billing-api:1.14.2',
  'registry.corp.example/checkout:2.3.0',
  'registry.corp.example/ci/builder:2024.11',
];
const logFiles = [
  '/var/log/syslog',
  '/var/log/messages',
  '/var/log/nginx/access.log',
  '/var/log/nginx/error.log',
  '/var/log/auth.log',
  '/var/log/secure',
  '/var/log/postgresql/postgresql-16-main.log',
  '/var/log/mysql/error.log',
  '/var/log/apache2/error.log',
  '/var/log/kern.log',
  '/var/log/dpkg.log',
  '/var/log/cloud-init-output.log',
  '/var/log/app/app.log',
  '/var/log/haproxy.log',
];
const confFiles = [
  '/etc/nginx/nginx.conf',
  '/etc/nginx/sites-available/default',
  '/etc/ssh/sshd_config',
  '/etc/hosts',
  '/etc/fstab',
  '/etc/resolv.conf',
  '/etc/postgresql/16/main/postgresql.conf',
  '/etc/postgresql/16/main/pg_hba.conf',
  '/etc/mysql/my.cnf',
  '/etc/redis/redis.conf',
  '/etc/haproxy/haproxy.cfg',
  '/etc/systemd/journald.conf',
  '/etc/logrotate.d/nginx',
  '/etc/chrony/chrony.conf',
  '/etc/default/grub',
  '/etc/sysctl.d/99-tuning.conf',
  '/etc/security/limits.conf',
  '/etc/docker/daemon.json',
  '/etc/prometheus/prometheus.yml',
  '/etc/filebeat/filebeat.yml',
];
const projDirs = [
  '~/src/billing-api',
  '~/work/storefront',
  '/srv/app',
  '/opt/reporting',
  '~/code/infra',
  '/home/deploy/releases/current',
  '~/projects/etl-jobs',
  '/var/www/app',
  '~/go/src/github.com/corp/gateway',
];
const tfDirs = [
  'envs/prod',
  'envs/staging',
  'modules/vpc',
  'modules/eks',
  'stacks/network',
  'stacks/data',
  'live/eu-west-1/rds',
];
const buckets = [
  'corp-artifacts',
  'corp-db-backups',
  'corp-logs-archive',
  'corp-static-assets',
  'corp-terraform-state',
  'corp-ml-datasets',
];
const dbs = ['billing', 'checkout', 'inventory', 'reporting', 'auth', 'app', 'analytics', 'ledger'];
const tables = [
  'orders',
  'invoices',
  'users',
  'payments',
  'sessions',
  'audit_log',
  'products',
  'events',
  'schema_migrations',
  'line_items',
];
const exts = ['log', 'gz', 'tmp', 'json', 'csv', 'tar.gz', 'bak', 'pyc', 'o'];

// ---- families ---------------------------------------------------------------
// Each family returns one line; `cap` bounds how many unique lines it may add.
/** @type {{ cap: number, gen: () => string }[]} */
const families = [
  // git
  {
    cap: 180,
    gen: () =>
      pick([
        () => `git status${maybe(0.3, ' -sb')}`,
        () => `git pull --rebase origin ${pick(branches)}`,
        () =>
          `git checkout -b ${pick(['feature', 'fix', 'chore'])}/${pick(['retry-backoff', 'pagination', 'tls-reload', 'metrics-labels', 'csv-export', 'rate-limit', 'k8s-hpa', 'flaky-test'])}`,
        () =>
          `git log --oneline -n ${int(5, 50)}${maybe(0.4, ` -- ${pick(['src/', 'deploy/', 'README.md', 'charts/'])}`)}`,
        () =>
          `git diff ${pick(['--stat', '--cached', 'HEAD~1', `origin/${pick(branches)}...HEAD`, '--name-only'])}`,
        () =>
          `git commit -m "${pick(['fix', 'feat', 'chore', 'docs', 'refactor', 'test'])}: ${pick(['handle empty currency', 'bump pg to 16.4', 'add retry to webhook sender', 'remove dead config flag', 'explain rollout steps', 'cover invoice rounding', "don't log request bodies", 'tighten probe timeouts'])}"`,
        () => `git push ${pick(['', '-u ', '--force-with-lease '])}origin ${pick(branches)}`,
        () => `git fetch --all --prune`,
        () => `git rebase -i HEAD~${int(2, 8)}`,
        () => `git stash ${pick(['', 'pop', 'list', 'show -p stash@{0}', 'drop'])}`.trim(),
        () => `git clone git@gitlab.corp.example:${pick(repos)}.git`,
        () =>
          `git clone --depth 1 https://github.com/${pick(['prometheus/node_exporter', 'grafana/loki', 'nginx/nginx', 'hashicorp/terraform-provider-aws', 'kubernetes/ingress-nginx', 'redis/redis'])}.git`,
        () => `git tag -a v${ver()} -m "release v${ver()}"`,
        () => `git cherry-pick ${sha()}`,
        () =>
          `git blame -L ${int(10, 200)},+${int(5, 30)} ${pick(['src/server.ts', 'app/models/invoice.rb', 'cmd/gateway/main.go', 'deploy/values.yaml'])}`,
        () =>
          `git reset --${pick(['soft', 'hard'])} ${pick(['HEAD~1', `origin/${pick(branches)}`])}`,
        () => `git clean -fdx ${pick(['-e .env', '--dry-run', ''])}`.trim(),
        () => `git remote -v`,
        () => `git branch -a --merged | grep -v main`,
        () => `git submodule update --init --recursive`,
        () =>
          `git grep -n "${pick(['TODO', 'FIXME', 'passwd_reset', 'retryCount', 'X-Request-Id', 'featureFlag'])}"`,
        () => `git bisect ${pick(['start', 'good', 'bad', 'reset'])}`,
        () => `git show ${sha()} --stat`,
        () => `git worktree add ../${pick(apps)}-hotfix ${pick(branches)}`,
      ])(),
  },
  // kubectl / helm
  {
    cap: 220,
    gen: () =>
      pick([
        () => `kubectl get pods -n ${pick(namespaces)}${maybe(0.4, ' -o wide')}`,
        () =>
          `kubectl describe pod ${pick(apps)}-${sha()}-${sha().slice(0, 5)} -n ${pick(namespaces)}`,
        () =>
          `kubectl logs -f deploy/${pick(apps)} -n ${pick(namespaces)}${maybe(0.4, ` --since=${int(5, 60)}m`)}`,
        () =>
          `kubectl logs ${pick(apps)}-${sha()}-${sha().slice(0, 5)} -n ${pick(namespaces)} -c ${pick(['app', 'istio-proxy', 'migrate'])} --previous`,
        () => `kubectl rollout status deployment/${pick(apps)} -n ${pick(namespaces)}`,
        () => `kubectl rollout restart deployment/${pick(apps)} -n ${pick(namespaces)}`,
        () => `kubectl rollout undo deployment/${pick(apps)} -n ${pick(namespaces)}`,
        () =>
          `kubectl scale deployment/${pick(apps)} --replicas=${int(0, 12)} -n ${pick(namespaces)}`,
        () =>
          `kubectl apply -f ${pick(['k8s/', 'deploy/base/', 'manifests/ingress.yaml', 'deploy/overlays/prod/', 'crds/'])}`,
        () => `kubectl apply -k deploy/overlays/${pick(envs)}`,
        () => `kubectl diff -k deploy/overlays/${pick(envs)}`,
        () =>
          `kubectl get events -n ${pick(namespaces)} --sort-by=.lastTimestamp | tail -${int(10, 40)}`,
        () => `kubectl top ${pick(['pods', 'nodes'])}${maybe(0.5, ` -n ${pick(namespaces)}`)}`,
        () => `kubectl get nodes -o wide`,
        () =>
          `kubectl cordon ${pick(['ip-10-0-12-34', 'ip-10-0-31-7', 'k8s-node-07', 'k8s-node-11'])}.${pick(['eu-west-1.compute.internal', 'corp.example'])}`,
        () =>
          `kubectl drain k8s-node-${pad(int(1, 20))} --ignore-daemonsets --delete-emptydir-data`,
        () =>
          `kubectl exec -it deploy/${pick(apps)} -n ${pick(namespaces)} -- ${pick(['sh', 'bash', 'env', 'ls /app', 'cat /app/config.yaml', 'python manage.py migrate --plan'])}`,
        () =>
          `kubectl port-forward svc/${pick(apps)} ${int(8000, 9099)}:${pick([80, 8080, 3000, 5432, 9090])} -n ${pick(namespaces)}`,
        () =>
          `kubectl get secret ${pick(['app-tls', 'registry-creds', 'db-credentials', 'grafana-admin'])} -n ${pick(namespaces)}`,
        () => `kubectl config use-context ${pick(envs)}-${pick(['eu', 'us', 'ap'])}`,
        () => `kubectl config get-contexts`,
        () => `kubectl get ingress -A`,
        () => `kubectl get pvc -n ${pick(namespaces)}`,
        () =>
          `kubectl delete pod ${pick(apps)}-${sha()}-${sha().slice(0, 5)} -n ${pick(namespaces)}`,
        () => `kubectl get hpa -n ${pick(namespaces)}`,
        () => `kubectl explain deployment.spec.strategy`,
        () =>
          `kubectl auth can-i ${pick(['get', 'list', 'create'])} ${pick(['pods', 'deployments', 'configmaps'])} -n ${pick(namespaces)}`,
        () =>
          `kubectl create configmap ${pick(apps)}-config --from-file=config.yaml -n ${pick(namespaces)} --dry-run=client -o yaml`,
        () =>
          `helm upgrade --install ${pick(apps)} charts/${pick(apps)} -n ${pick(namespaces)} -f values-${pick(envs)}.yaml`,
        () => `helm list -A`,
        () => `helm repo update`,
        () =>
          `helm template ${pick(apps)} charts/${pick(apps)} -f values-${pick(envs)}.yaml | kubectl diff -f -`,
        () => `helm rollback ${pick(apps)} ${int(1, 40)} -n ${pick(namespaces)}`,
        () => `helm history ${pick(apps)} -n ${pick(namespaces)}`,
        () => `k9s -n ${pick(namespaces)}`,
        () => `kubectx ${pick(envs)}-eu`,
      ])(),
  },
  // docker / podman
  {
    cap: 180,
    gen: () =>
      pick([
        () => `docker ps${maybe(0.4, ' -a')}${maybe(0.3, " --format '{{.Names}}\\t{{.Status}}'")}`,
        () => `docker logs --tail ${int(50, 500)} -f ${pick(apps)}`,
        () =>
          `docker build -t registry.corp.example/${pick(apps)}:${ver()} ${pick(['.', '-f Dockerfile.prod .', '--build-arg NODE_ENV=production .'])}`,
        () => `docker push registry.corp.example/${pick(apps)}:${ver()}`,
        () => `docker pull ${pick(images)}`,
        () =>
          `docker run --rm -it ${pick(images)} ${pick(['sh', 'bash', 'psql --version', 'node --version', 'python -V'])}`,
        () =>
          `docker run -d --name ${pick(apps)} -p ${int(3000, 9000)}:${pick([80, 8080, 3000])} --restart unless-stopped ${pick(images)}`,
        () =>
          `docker run --rm -v "$PWD":/src -w /src ${pick(['node:20-alpine', 'golang:1.23', 'python:3.12-slim'])} ${pick(['npm ci', 'go test ./...', 'pytest -q', 'make test'])}`,
        () => `docker exec -it ${pick(apps)} ${pick(['sh', 'bash', 'env', 'cat /etc/os-release'])}`,
        () =>
          `docker compose ${pick(['up -d', 'down', 'ps', 'logs -f --tail=100', 'pull', 'restart ' + pick(['db', 'api', 'worker']), 'build --pull'])}`,
        () => `docker system df`,
        () => `docker image prune -f${maybe(0.5, ' --filter "until=168h"')}`,
        () => `docker volume ls`,
        () => `docker inspect ${pick(apps)} --format '{{.State.Health.Status}}'`,
        () => `docker stats --no-stream`,
        () => `docker tag ${pick(apps)}:latest registry.corp.example/${pick(apps)}:${ver()}`,
        () =>
          `docker login registry.corp.example -u ${pick(users)} --password-stdin < ~/.registry-token`,
        () => `docker network inspect ${pick(['bridge', 'app_default', 'monitoring'])}`,
        () => `docker cp ${pick(apps)}:/app/logs/app.log ./app-${date()}.log`,
        () => `podman ps --all`,
        () => `podman run --rm ${pick(images)} cat /etc/os-release`,
        () => `buildah bud -t ${pick(apps)}:${ver()} .`,
        () => `skopeo inspect docker://${pick(images)}`,
        () => `trivy image --severity HIGH,CRITICAL registry.corp.example/${pick(apps)}:${ver()}`,
      ])(),
  },
  // terraform / ansible / cloud CLIs
  {
    cap: 200,
    gen: () =>
      pick([
        () =>
          `terraform -chdir=${pick(tfDirs)} ${pick(['init', 'plan', 'validate', 'fmt -check', 'plan -out=tfplan', 'apply tfplan', 'output', 'state list', 'providers'])}`,
        () => `terraform plan -var-file=${pick(envs)}.tfvars -out=tfplan`,
        () => `terraform apply -auto-approve -var-file=${pick(envs)}.tfvars`,
        () =>
          `terraform state show 'module.${pick(['vpc', 'eks', 'rds', 'alb'])}.${pick(['aws_vpc.this', 'aws_eks_cluster.this[0]', 'aws_db_instance.this', 'aws_lb.this'])}'`,
        () =>
          `terraform import aws_s3_bucket.${pick(['logs', 'assets', 'backups'])} ${pick(buckets)}`,
        () => `terraform workspace select ${pick(envs)}`,
        () => `tflint --recursive`,
        () =>
          `ansible-playbook -i inventory/${pick(envs)} ${pick(['site.yml', 'webservers.yml', 'patch.yml', 'users.yml', 'deploy.yml'])}${maybe(0.4, ` --limit ${pick(roles)}`)}${maybe(0.3, ' --check --diff')}`,
        () =>
          `ansible ${pick(['all', 'webservers', 'dbservers', 'k8s_nodes'])} -i inventory/${pick(envs)} -m ${pick(['ping', 'setup -a "filter=ansible_distribution*"', 'shell -a "uptime"', 'apt -a "name=htop state=present" -b'])}`,
        () => `ansible-vault edit group_vars/${pick(envs)}/vault.yml`,
        () => `ansible-lint playbooks/`,
        () => `ansible-galaxy install -r requirements.yml`,
        () => `aws s3 ls s3://${pick(buckets)}/${pick(['', 'prod/', 'daily/', '2024/'])}`,
        () =>
          `aws s3 cp ${pick(['dist/', 'build/'])} s3://${pick(buckets)}/${pick(apps)}/ --recursive`,
        () => `aws s3 sync ./public s3://corp-static-assets/${pick(apps)} --delete`,
        () => `aws sts get-caller-identity`,
        () =>
          `aws ec2 describe-instances --filters "Name=tag:Role,Values=${pick(roles)}" --query 'Reservations[].Instances[].PrivateIpAddress' --output text`,
        () => `aws logs tail /aws/lambda/${pick(apps)} --follow --since ${int(5, 60)}m`,
        () =>
          `aws eks update-kubeconfig --name ${pick(envs)}-eks --region ${pick(['eu-west-1', 'us-east-1', 'eu-central-1'])}`,
        () =>
          `aws ecr get-login-password --region eu-west-1 | docker login --username AWS --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com`,
        () => `aws rds describe-db-instances --query 'DBInstances[].DBInstanceIdentifier'`,
        () => `aws ssm start-session --target i-0${sha()}${sha()}`,
        () => `aws configure list`,
        () =>
          `aws cloudwatch get-metric-statistics --namespace AWS/EC2 --metric-name CPUUtilization --dimensions Name=InstanceId,Value=i-0${sha()}${sha()} --start-time ${date()}T00:00:00Z --end-time ${date()}T23:59:59Z --period 3600 --statistics Average`,
        () => `gcloud compute instances list --filter="name~${pick(roles)}"`,
        () => `gcloud container clusters get-credentials ${pick(envs)}-gke --region europe-west1`,
        () => `gcloud auth list`,
        () => `az vm list -o table`,
        () => `az aks get-credentials -g rg-${pick(envs)} -n aks-${pick(envs)}`,
        () => `vault kv get secret/${pick(apps)}/${pick(envs)}`,
        () => `vault status`,
        () => `consul members`,
        () => `nomad job status ${pick(apps)}`,
        () => `packer build -var-file=${pick(envs)}.pkrvars.hcl ubuntu-2404.pkr.hcl`,
      ])(),
  },
  // systemctl / journalctl / service management
  {
    cap: 240,
    gen: () =>
      pick([
        () =>
          `sudo systemctl ${pick(['restart', 'reload', 'status', 'start', 'stop', 'enable --now', 'is-active', 'is-enabled'])} ${pick(services)}`,
        () => `sudo systemctl ${pick(['restart', 'status', 'stop', 'start'])} ${appUnits()}`,
        () => `systemctl status ${pick(services)} --no-pager${maybe(0.3, ' -l')}`,
        () => `systemctl list-units --type=service --state=${pick(['running', 'failed'])}`,
        () => `systemctl list-timers --all`,
        () => `sudo systemctl daemon-reload`,
        () => `systemctl cat ${pick(services)}`,
        () => `sudo systemctl edit ${pick(services)}`,
        () =>
          `systemctl show ${pick(services)} -p ${pick(['MainPID', 'ActiveState', 'MemoryCurrent', 'ExecStart', 'Restart'])}`,
        () =>
          `journalctl -u ${pick(services)} ${pick(['-f', '--since today', '--since "1 hour ago"', '-n 200 --no-pager', '-p err -b', `--since "${date()} 10:00" --until "${date()} 11:00"`])}`,
        () => `journalctl -u ${appUnits()} -f -o cat`,
        () => `journalctl -k -p warning --since yesterday`,
        () => `journalctl --disk-usage`,
        () => `sudo journalctl --vacuum-size=${pick(['200M', '500M', '1G', '2G'])}`,
        () => `sudo journalctl --vacuum-time=${pick(['14d', '30d', '2weeks'])}`,
        () => `journalctl -b -1 -e`,
        () => `sudo service ${pick(services)} ${pick(['restart', 'status', 'reload'])}`,
        () =>
          `systemd-analyze ${pick(['blame', 'critical-chain', 'verify /etc/systemd/system/' + pick(apps) + '.service'])}`,
        () => `sudo loginctl enable-linger ${pick(users)}`,
        () => `systemctl --user restart ${pick(['podman-auto-update', 'syncthing', pick(apps)])}`,
        () =>
          `sudo timedatectl set-timezone ${pick(['Europe/Berlin', 'UTC', 'America/New_York', 'Europe/London'])}`,
        () => `hostnamectl`,
        () => `timedatectl status`,
        () => `chronyc tracking`,
        () => {
          const s = pick(services);
          return `sudo systemctl restart ${s} && sudo systemctl status ${s} --no-pager`;
        },
      ])(),
  },
  // packages
  {
    cap: 220,
    gen: () =>
      pick([
        () => `sudo apt-get update`,
        () =>
          `sudo apt-get install -y ${pick(aptPkgs)}${maybe(0.5, ` ${pick(aptPkgs)}`)}${maybe(0.3, ` ${pick(aptPkgs)}`)}`,
        () => `sudo apt install ${pick(aptPkgs)}`,
        () => `sudo apt-get upgrade -y`,
        () => `sudo apt-get dist-upgrade`,
        () => `sudo apt-get autoremove --purge -y`,
        () => `apt-cache policy ${pick(aptPkgs)}`,
        () => `apt list --upgradable`,
        () => `dpkg -l | grep ${pick(aptPkgs)}`,
        () => `dpkg -L ${pick(aptPkgs)} | head`,
        () =>
          `sudo apt-mark hold ${pick(['kubelet kubeadm kubectl', 'postgresql-16', 'docker-ce', 'linux-image-generic'])}`,
        () => `sudo unattended-upgrade --dry-run -d`,
        () => `sudo dnf install -y ${pick(rpmPkgs)}`,
        () => `sudo yum install -y ${pick(rpmPkgs)}`,
        () => `sudo dnf update -y --security`,
        () => `dnf list installed | grep ${pick(rpmPkgs)}`,
        () => `rpm -qa | grep ${pick(['kernel', 'openssl', 'nginx', 'postgres', 'java'])}`,
        () => `rpm -qi ${pick(rpmPkgs)}`,
        () => `sudo yum clean all && sudo yum makecache`,
        () =>
          `sudo dnf config-manager --add-repo https://download.docker.com/linux/centos/docker-ce.repo`,
        () =>
          `npm ${pick(['ci', 'install', 'test', 'run build', 'run lint', 'run dev', 'audit', 'outdated', 'ls --depth=0'])}`,
        () => `npm install ${maybe(0.5, '--save-dev ')}${pick(npmPkgs)}@${ver()}`,
        () =>
          `npx ${pick(['tsc --noEmit', 'eslint .', 'prettier --check .', 'vitest run', 'jest --coverage', 'prisma migrate deploy', 'playwright test'])}`,
        () =>
          `yarn ${pick(['install --frozen-lockfile', 'build', 'test', 'add ' + pick(npmPkgs)])}`,
        () => `pnpm ${pick(['install', 'run build', 'test', 'add -D ' + pick(npmPkgs)])}`,
        () => `pip install ${pick(pipPkgs)}${maybe(0.5, `==${ver()}`)}`,
        () =>
          `pip install -r ${pick(['requirements.txt', 'requirements-dev.txt', 'docs/requirements.txt'])}`,
        () => `python3 -m pip install --upgrade pip`,
        () => `python3 -m venv ${pick(['.venv', 'venv', '/opt/' + pick(apps) + '/venv'])}`,
        () => `source ${pick(['.venv', 'venv'])}/bin/activate`,
        () =>
          `poetry ${pick(['install', 'lock --no-update', 'run pytest', 'add ' + pick(pipPkgs), 'show --outdated'])}`,
        () => `pipx install ${pick(['ansible-core', 'pre-commit', 'poetry', 'httpie', 'black'])}`,
        () =>
          `go ${pick(['build ./...', 'test ./... -race', 'mod tidy', 'vet ./...', 'run ./cmd/' + pick(apps)])}`,
        () => `cargo ${pick(['build --release', 'test', 'clippy -- -D warnings', 'fmt --check'])}`,
        () => `sudo snap refresh ${pick(['', 'core22', 'lxd', 'certbot'])}`.trim(),
        () => `brew upgrade ${pick(['kubectl', 'terraform', 'helm', 'awscli'])}`,
      ])(),
  },
  // build / test / CI job lines
  {
    cap: 200,
    gen: () =>
      pick([
        () =>
          `make ${pick(['', 'build', 'test', 'lint', 'clean', 'release', 'docker', 'install', '-j' + int(2, 16), 'check', 'deps', 'fmt'])}`.trim(),
        () =>
          `make -C ${pick(['src', 'docs', 'deploy', 'tools'])} ${pick(['all', 'html', 'package'])}`,
        () =>
          `cmake -S . -B build -DCMAKE_BUILD_TYPE=${pick(['Release', 'Debug', 'RelWithDebInfo'])}`,
        () => `cmake --build build -j ${int(2, 16)}`,
        () => `ctest --test-dir build --output-on-failure`,
        () => `./configure --prefix=/usr/local && make -j$(nproc) && sudo make install`,
        () =>
          `gcc -O2 -Wall -o build/${pick(['server', 'tool', 'bench'])} src/${pick(['main', 'server', 'bench'])}.c`,
        () => `pytest -q ${pick(['tests/', 'tests/unit', '-k invoice', '--maxfail=1', '-x --lf'])}`,
        () => `tox -e ${pick(['py311', 'py312', 'lint', 'docs'])}`,
        () => `mvn -B ${pick(['clean verify', 'package -DskipTests', 'test', 'dependency:tree'])}`,
        () => `./gradlew ${pick(['build', 'test', 'assemble', 'check --continue'])}`,
        () => `bundle exec ${pick(['rspec', 'rake db:migrate', 'rails console', 'rubocop'])}`,
        () => `shellcheck ${pick(['scripts/*.sh', 'deploy.sh', 'bin/entrypoint.sh'])}`,
        () => `pre-commit run --all-files`,
        () => `echo "CI_COMMIT_SHA=${sha()}${sha()}" >> build.env`,
        () =>
          `echo "$CI_REGISTRY_PASSWORD" | docker login -u "$CI_REGISTRY_USER" --password-stdin "$CI_REGISTRY"`,
        () =>
          `docker build --cache-from "$CI_REGISTRY_IMAGE:latest" -t "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA" .`,
        () => `docker push "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA"`,
        () => `test -f package-lock.json && npm ci || npm install`,
        () => `export NODE_OPTIONS=--max-old-space-size=${pick([2048, 4096, 6144])}`,
        () => `export GOFLAGS=-mod=readonly`,
        () => `echo "::group::${pick(['Install', 'Build', 'Test', 'Deploy'])}"`,
        () => `echo "version=${ver()}" >> "$GITHUB_OUTPUT"`,
        () => `if [ "$CI_COMMIT_BRANCH" = "main" ]; then make release; fi`,
        () => `[ -n "$DEPLOY_ENV" ] || { echo "DEPLOY_ENV not set"; exit 1; }`,
        () => `set -euo pipefail`,
        () => `mkdir -p artifacts && cp build/*.tar.gz artifacts/`,
        () => `tar czf artifacts/${pick(apps)}-${ver()}.tgz -C build .`,
        () => `sha256sum artifacts/*.tgz > artifacts/SHA256SUMS`,
        () => `gpg --batch --detach-sign --armor artifacts/SHA256SUMS`,
        () =>
          `curl -sf --retry 5 --retry-delay 2 http://localhost:${pick([3000, 8080, 9000])}/healthz`,
        () =>
          `curl --fail -X POST -H "PRIVATE-TOKEN: $GITLAB_TOKEN" "https://gitlab.corp.example/api/v4/projects/${int(10, 900)}/pipeline?ref=${pick(branches)}"`,
        () =>
          `rm -rf ${pick(['./build', 'dist', 'node_modules', '.pytest_cache', 'coverage', 'target', '.terraform', 'out', '__pycache__', '.next', 'build/ dist/'])}`,
        () => `rm -rf "$CI_PROJECT_DIR/.cache/${pick(['pip', 'npm', 'go-build'])}"`,
        () =>
          `chmod +x ${pick(['./gradlew', 'scripts/deploy.sh', 'bin/run', 'ci/test.sh', './mvnw'])}`,
        () =>
          `./scripts/${pick(['deploy.sh', 'smoke-test.sh', 'migrate.sh', 'wait-for-db.sh', 'bump-version.sh'])} ${pick(envs)}`,
        () => `cat coverage/coverage-summary.json | jq '.total.lines.pct'`,
        () => `sonar-scanner -Dsonar.projectKey=${pick(apps)} -Dsonar.sources=src`,
      ])(),
  },
  // ssh / scp / rsync
  {
    cap: 200,
    gen: () =>
      pick([
        () => `ssh ${pick(users)}@${host()}`,
        () =>
          `ssh ${host()} ${pick(['uptime', "'df -h /'", "'sudo systemctl status nginx --no-pager'", "'tail -n 50 /var/log/syslog'", "'free -m'", "'cat /etc/os-release'"])}`,
        () => `ssh -J bastion.${pick(domains)} ${host()}`,
        () =>
          `ssh -i ~/.ssh/${pick(['id_ed25519', 'deploy_key', 'ci_ed25519'])} ${pick(users)}@${host()}`,
        () =>
          `ssh -L ${int(5400, 9999)}:${pick(['localhost', 'pg-primary.internal', 'redis.internal'])}:${pick([5432, 6379, 3306, 9200])} ${host()}`,
        () => `ssh -o StrictHostKeyChecking=accept-new ${pick(users)}@${ip()}`,
        () => `ssh -p ${pick([22, 2222, 22022])} ${pick(users)}@${host()}`,
        () =>
          `scp ${pick(['./dist/app.tgz', 'release.tar.gz', 'config/nginx.conf', 'dump.sql.gz'])} ${pick(users)}@${host()}:${pick(['/tmp/', '/srv/releases/', '~/'])}`,
        () => `scp ${host()}:${pick(logFiles)} ./logs/`,
        () =>
          `rsync -avz --delete ${pick(['./public/', 'build/', 'dist/'])} ${pick(users)}@${host()}:/var/www/${pick(apps)}/`,
        () => `rsync -aHAX --info=progress2 /srv/data/ ${host()}:/srv/data/`,
        () =>
          `rsync -av --exclude '.git' --exclude 'node_modules' ./ ${host()}:/home/${pick(users)}/${pick(apps)}/`,
        () => `rsync -a --dry-run /etc/nginx/ /root/nginx-backup-${date()}/`,
        () => `ssh-keygen -t ed25519 -C "${pick(users)}@${pick(domains)}"`,
        () => `ssh-keygen -R ${host()}`,
        () => `ssh-keygen -lf ~/.ssh/${pick(['id_ed25519.pub', 'id_rsa.pub', 'known_hosts'])}`,
        () => `ssh-keyscan -t ed25519 ${host()} >> ~/.ssh/known_hosts`,
        () => `ssh-copy-id ${pick(users)}@${host()}`,
        () => `ssh-add -l`,
        () => `ssh-add ~/.ssh/${pick(['id_ed25519', 'work_ed25519'])}`,
        () => `sftp ${pick(users)}@sftp.${pick(domains)}`,
        () => `mosh ${host()}`,
        () => `cat ~/.ssh/config`,
        () => `cat ~/.ssh/id_ed25519.pub`,
        () => `chmod 700 ~/.ssh && chmod 600 ~/.ssh/authorized_keys`,
        () =>
          `ssh ${host()} 'sudo journalctl -u ${pick(services)} --since "10 min ago" --no-pager'`,
        () => `pssh -h hosts/${pick(roles)}.txt -i 'uptime'`,
      ])(),
  },
  // find / grep / awk / sed / text processing
  {
    cap: 270,
    gen: () =>
      pick([
        () =>
          `find . -name '*.${pick(exts)}' ${pick(['-delete', '-mtime +7', '-size +100M', '-type f | wc -l', '-newer package.json'])}`,
        () =>
          `find ${pick(['/var/log/app', '/srv/uploads/tmp', '/tmp', '/var/tmp/' + pick(apps), '/opt/reporting/out'])} -type f -mtime +${int(3, 90)} ${pick(['-delete', '-print', '-exec gzip {} \\;', '-exec rm -f {} +'])}`,
        () =>
          `find ${pick(projDirs)} -name '*.${pick(['py', 'ts', 'go', 'rb', 'java', 'yaml'])}' | xargs wc -l | tail -1`,
        () => `find / -xdev -type f -size +${pick(['500M', '1G', '2G'])} 2>/dev/null`,
        () => `find /etc -name '*.conf' -newer /etc/hostname`,
        () => `find . -type d -name node_modules -prune -exec rm -rf {} +`,
        () => `find ${pick(['/var/www', '/srv/app'])} -type d -exec chmod 755 {} \\;`,
        () => `find ${pick(['/var/www', '/srv/app'])} -type f -exec chmod 644 {} \\;`,
        () =>
          `grep -rn "${pick(['TODO', 'deprecated', 'ConnectionRefused', 'OutOfMemory', 'timeout', 'panic:', 'NullPointerException', 'ECONNRESET'])}" ${pick(['src/', '.', 'app/', 'lib/', 'logs/'])}`,
        () =>
          `grep -i ${pick(['error', 'warn', 'fail', 'oom', 'segfault', 'refused'])} ${pick(logFiles)}${maybe(0.4, ` | tail -${int(20, 100)}`)}`,
        () => `grep -c ' 5[0-9][0-9] ' /var/log/nginx/access.log`,
        () => `grep -E '^(server_name|listen)' /etc/nginx/sites-enabled/*`,
        () => `grep -v '^#' ${pick(confFiles)} | grep -v '^$'`,
        () =>
          `zgrep -h "${pick(['POST /api/v1/orders', 'GET /healthz', 'status=500', 'user_id=' + int(1000, 99999)])}" /var/log/nginx/access.log.*.gz | wc -l`,
        () =>
          `rg -n '${pick(['fetchInvoice', 'retryPolicy', 'KAFKA_BROKERS', 'featureFlags', 'useEffect'])}' ${pick(['src', 'app', 'packages'])}`,
        () =>
          `awk '{print $1}' /var/log/nginx/access.log | sort | uniq -c | sort -rn | head -${int(5, 30)}`,
        () =>
          `awk '$9 >= 500 {print $7}' /var/log/nginx/access.log | sort | uniq -c | sort -rn | head`,
        () =>
          `awk -F, 'NR>1 {sum+=$${int(2, 6)}} END {print sum}' ${pick(['report.csv', 'export/orders.csv', 'data/usage-' + date() + '.csv'])}`,
        () => `awk -F: '{print $1, $7}' /etc/passwd`,
        () =>
          `sed -i 's/${pick(['worker_processes 2', 'max_connections = 100', 'LOG_LEVEL=info', 'replicas: 2'])}/${pick(['worker_processes auto', 'max_connections = 300', 'LOG_LEVEL=debug', 'replicas: 4'])}/' ${pick([...confFiles.slice(0, 8), 'deploy/values.yaml', '.env.example'])}`,
        () => `sed -n '${int(1, 200)},${int(201, 400)}p' ${pick(logFiles)}`,
        () =>
          `sed -e 's/\\r$//' ${pick(['scripts/deploy.sh', 'data/import.csv'])} > /tmp/clean.${pick(['sh', 'csv'])}`,
        () =>
          `cut -d, -f${int(1, 5)} ${pick(['users.csv', 'export.csv', 'inventory.csv'])} | sort -u | wc -l`,
        () => `sort -k${int(2, 5)} -n -r ${pick(['du.txt', 'report.tsv', 'latency.txt'])} | head`,
        () => `wc -l ${pick(logFiles)}`,
        () =>
          `tail -f ${pick(logFiles)}${maybe(0.4, ` | grep --line-buffered ${pick(['error', '500', 'timeout', pick(apps)])}`)}`,
        () => `tail -n ${int(50, 500)} ${pick(logFiles)}`,
        () => `less +G ${pick(logFiles)}`,
        () =>
          `head -n ${int(5, 50)} ${pick(['data/users.csv', 'export.csv', 'dump.sql', 'config.yaml'])}`,
        () =>
          `jq '.${pick(['items[].metadata.name', 'dependencies | keys', 'version', 'data[] | select(.status=="failed")', 'results | length'])}' ${pick(['out.json', 'package.json', 'response.json', 'report.json'])}`,
        () =>
          `yq '.spec.template.spec.containers[0].image' ${pick(['deploy/deployment.yaml', 'k8s/app.yaml'])}`,
        () => {
          const f = pick(confFiles);
          return `diff -u ${f}.bak ${f}`;
        },
        () =>
          `xargs -n1 -P${int(2, 8)} ${pick(['curl -s -o /dev/null -w "%{http_code}\\n"', 'ping -c1 -W1', 'host'])} < ${pick(['urls.txt', 'hosts.txt'])}`,
        () => `column -t -s, ${pick(['report.csv', 'inventory.csv'])} | less -S`,
        () =>
          `tr -d '\\r' < ${pick(['windows.csv', 'export.txt'])} > ${pick(['unix.csv', 'export.unix.txt'])}`,
        () => `uniq -c ${pick(['sorted.txt', 'ips.txt'])} | sort -rn | head`,
      ])(),
  },
  // tar / archive / backup
  {
    cap: 150,
    gen: () =>
      pick([
        () =>
          `tar czf /backup/${pick(['etc', 'www', 'home', 'nginx', 'grafana', 'jenkins'])}-$(date +%F).tgz ${pick(['/etc', '/var/www', '/home', '/etc/nginx', '/var/lib/grafana', '/var/lib/jenkins/jobs'])}`,
        () => `sudo tar czf /backup/${pick(apps)}-${date()}.tar.gz -C /srv ${pick(apps)}`,
        () =>
          `tar xzf ${pick(['release.tar.gz', pick(apps) + '-' + ver() + '.tgz', 'node-v20.18.0-linux-x64.tar.xz'])} -C ${pick(['/opt', '/srv/releases', '.', '/tmp/extract'])}`,
        () =>
          `tar tzf ${pick(['backup.tgz', '/backup/etc-' + date() + '.tgz', 'release.tar.gz'])} | head`,
        () => `tar --exclude='./node_modules' --exclude='./.git' -czf ../${pick(apps)}.tgz .`,
        () =>
          `tar cf - ${pick(['/var/www', '/srv/data', '/etc'])} | ssh backup@backup0${int(1, 3)}.corp.example 'cat > /backups/${pick(['www', 'data', 'etc'])}-${date()}.tar'`,
        () =>
          `zip -r ${pick(['site.zip', 'report-' + date() + '.zip', 'logs.zip'])} ${pick(['public/', 'reports/', 'logs/'])}`,
        () =>
          `unzip -o ${pick(['terraform_1.9.8_linux_amd64.zip', 'awscliv2.zip', 'artifact.zip'])}${maybe(0.5, ' -d /tmp/unpack')}`,
        () => `gzip -9 ${pick(['dump.sql', 'access.log.1', 'export.csv'])}`,
        () =>
          `gunzip -c ${pick(['access.log.2.gz', 'dump.sql.gz'])} | ${pick(['less', 'head -100', 'grep -c POST'])}`,
        () => `zstd -T0 -19 ${pick(['db.dump', 'images.tar', 'logs.tar'])}`,
        () => `xz -d ${pick(['image.raw.xz', 'dump.sql.xz'])}`,
        () => `7z x ${pick(['vendor-drop.7z', 'archive.7z'])} -o./vendor-drop`,
        () => `pg_dump -Fc -d ${pick(dbs)} > /backups/${pick(dbs)}-$(date +%F).dump`,
        () => `pg_restore -d ${pick(dbs)}_restore --no-owner /backups/${pick(dbs)}-${date()}.dump`,
        () =>
          `mysqldump --single-transaction --routines ${pick(dbs)} | gzip > /backup/mysql/${pick(dbs)}-$(date +%F).sql.gz`,
        () => `restic -r s3:s3.amazonaws.com/corp-restic backup /srv /etc --exclude-caches`,
        () => `restic -r s3:s3.amazonaws.com/corp-restic snapshots --latest 5`,
        () => `borg create --stats /srv/borg/repo::'{hostname}-{now}' /etc /srv`,
        () => `borg list /srv/borg/repo`,
        () =>
          `rclone sync /srv/backups s3-backup:corp-backups/${pick(envs)} --transfers ${int(4, 16)}`,
        () => `rclone ls s3-backup:corp-backups/${pick(envs)} --max-depth 1`,
        () => `aws s3 cp /backup/${pick(dbs)}-${date()}.dump s3://corp-db-backups/${pick(envs)}/`,
        () => `zfs snapshot tank/${pick(['data', 'home', 'vm'])}@${date()}`,
        () => `zfs list -t snapshot -o name,used,creation | tail`,
        () =>
          `sudo lvcreate -L ${int(5, 50)}G -s -n data_snap_${date().replace(/-/g, '')} /dev/vg0/data`,
      ])(),
  },
  // curl / wget / openssl / http checks
  {
    cap: 220,
    gen: () =>
      pick([
        () =>
          `curl -s ${pick(['-o /dev/null -w "%{http_code}\\n"', '-I', '-v', '-sS', '--max-time 5'])} https://${pick(['www', 'api', 'status', 'auth', 'shop'])}.${pick(domains)}${pick(['/', '/healthz', '/api/v1/status', '/metrics', '/login'])}`,
        () =>
          `curl -s http://localhost:${pick([8080, 3000, 9090, 9100, 5601, 15672])}/${pick(['health', 'healthz', 'metrics', 'ready', 'api/health'])}${maybe(0.4, ' | jq .')}`,
        () =>
          `curl -s -X ${pick(['GET', 'POST', 'PUT', 'DELETE'])} -H 'Content-Type: application/json' ${maybe(0.5, `-d '{"id": ${int(1, 9999)}}' `)}https://api.${pick(domains)}/v1/${pick(['orders', 'invoices', 'users', 'jobs'])}${maybe(0.5, `/${int(100, 99999)}`)}`,
        () =>
          `curl -s -u elastic:"$ES_PASSWORD" 'https://${pick(['es01', 'es02', 'logs'])}.${pick(domains)}:9200/_cat/${pick(['indices?v', 'health?v', 'nodes?v', 'shards?v'])}'`,
        () => `curl -s http://localhost:9200/_cluster/health?pretty`,
        () =>
          `curl -fsSL ${pick(['https://get.docker.com', 'https://sh.rustup.rs', 'https://raw.githubusercontent.com/nvm-sh/nvm/v0.40.1/install.sh', 'https://deb.nodesource.com/setup_20.x'])} -o ${pick(['install.sh', 'get-docker.sh', 'rustup-init.sh', 'nodesource_setup.sh'])}`,
        () =>
          `curl -LO https://github.com/${pick(['prometheus/node_exporter/releases/download/v1.8.2/node_exporter-1.8.2.linux-amd64.tar.gz', 'derailed/k9s/releases/download/v0.32.5/k9s_Linux_amd64.tar.gz', 'mikefarah/yq/releases/download/v4.44.3/yq_linux_amd64', 'helm/helm/releases'])}`,
        () =>
          `curl -o ${pick(['release.tar.gz', 'model.bin', 'dataset.csv', 'report.pdf'])} https://artifacts.${pick(domains)}/${pick(apps)}/${ver()}/${pick(['release.tar.gz', 'bundle.zip'])}`,
        () =>
          `curl -sSL https://${pick(['www', 'api'])}.${pick(domains)} --resolve ${pick(['www', 'api'])}.${pick(domains)}:443:${ip()} -o /dev/null -w '%{time_total}\\n'`,
        () =>
          `curl -s https://api.github.com/repos/${pick(['kubernetes/kubernetes', 'hashicorp/terraform', 'grafana/grafana'])}/releases/latest | jq -r .tag_name`,
        () =>
          `curl -fsSL https://packages.${pick(['grafana.com', 'cloud.google.com'])}/${pick(['gpg.key', 'apt/doc/apt-key.gpg'])} | sudo gpg --dearmor -o /etc/apt/keyrings/${pick(['grafana', 'cloud-google'])}.gpg`,
        () =>
          `curl -sk --cert client.pem --key client-key.pem https://${host()}:${pick([8443, 6443, 9443])}/healthz`,
        () =>
          `wget -q ${pick(['https://dl.grafana.com/oss/release/grafana_11.3.0_amd64.deb', 'https://releases.hashicorp.com/terraform/1.9.8/terraform_1.9.8_linux_amd64.zip', 'https://go.dev/dl/go1.23.3.linux-amd64.tar.gz', 'https://downloads.apache.org/kafka/3.8.1/kafka_2.13-3.8.1.tgz'])}`,
        () =>
          `wget -O ${pick(['latest.tar.gz', 'wordpress.tar.gz'])} https://wordpress.org/latest.tar.gz`,
        () => `wget --spider -S https://${pick(['www', 'cdn', 'static'])}.${pick(domains)}/`,
        () =>
          `wget -r -np -nH --cut-dirs=2 https://mirror.${pick(domains)}/repo/${pick(['centos', 'ubuntu', 'alpine'])}/`,
        () => `http GET https://api.${pick(domains)}/v1/status Authorization:"Bearer $TOKEN"`,
        () =>
          `openssl s_client -connect ${pick(['www', 'api', 'mail', 'ldap'])}.${pick(domains)}:${pick([443, 8443, 636, 993, 465])} -servername ${pick(['www', 'api', 'mail'])}.${pick(domains)} </dev/null 2>/dev/null | openssl x509 -noout -${pick(['dates', 'subject', 'issuer', 'ext subjectAltName'])}`,
        () =>
          `openssl x509 -in ${pick(['/etc/ssl/certs/app.crt', 'cert.pem', '/etc/letsencrypt/live/www.corp.example/fullchain.pem'])} -noout -${pick(['enddate', 'text', 'fingerprint -sha256', 'subject'])}`,
        () =>
          `openssl req -new -newkey rsa:${pick([2048, 4096])} -nodes -keyout ${pick(['app', 'www', 'api'])}.key -out ${pick(['app', 'www', 'api'])}.csr -subj "/CN=${pick(['app', 'www', 'api'])}.${pick(domains)}"`,
        () => `openssl rand -${pick(['hex', 'base64'])} ${pick([16, 24, 32, 48])}`,
        () => `openssl dgst -sha256 ${pick(['release.tar.gz', 'artifact.zip', 'image.iso'])}`,
        () => `openssl verify -CAfile ca.pem ${pick(['server.crt', 'client.crt'])}`,
        () =>
          `openssl pkcs12 -export -in cert.pem -inkey key.pem -out ${pick(['keystore.p12', 'client.p12'])} -name ${pick(apps)}`,
        () =>
          `openssl enc -aes-256-cbc -salt -pbkdf2 -in ${pick(['backup.tar', 'db.dump'])} -out ${pick(['backup.tar', 'db.dump'])}.enc -pass file:/root/.backup-pass`,
        () =>
          `sudo certbot ${pick(['renew --dry-run', 'certificates', '--nginx -d www.corp.example -d corp.example'])}`,
        () => `step certificate inspect https://${pick(['www', 'api'])}.${pick(domains)}`,
      ])(),
  },
  // databases
  {
    cap: 160,
    gen: () =>
      pick([
        () =>
          `psql -h ${pick(['localhost', 'pg-primary.internal', host()])} -U ${pick(['app', 'postgres', 'readonly', 'reporting'])} -d ${pick(dbs)}`,
        () =>
          `psql -d ${pick(dbs)} -c "${pick([`SELECT count(*) FROM ${pick(tables)}`, 'SELECT now()', `\\d+ ${pick(tables)}`, "SELECT pid, state, query FROM pg_stat_activity WHERE state <> 'idle'", `VACUUM ANALYZE ${pick(tables)}`, 'SELECT pg_size_pretty(pg_database_size(current_database()))', `EXPLAIN ANALYZE SELECT * FROM ${pick(tables)} WHERE id = ${int(1, 99999)}`])}"`,
        () =>
          `sudo -u postgres psql -c "${pick(['\\l', '\\du', 'SELECT version()', 'SELECT * FROM pg_stat_replication', `CREATE DATABASE ${pick(dbs)}_test`, `GRANT SELECT ON ALL TABLES IN SCHEMA public TO readonly`])}"`,
        () =>
          `sudo -u postgres createuser --pwprompt ${pick(['reporting', 'readonly', 'grafana'])}`,
        () => `sudo -u postgres vacuumdb --all --analyze-in-stages`,
        () => `pg_isready -h ${pick(['localhost', 'pg-primary.internal'])} -p 5432`,
        () => `mysql -u ${pick(['root', 'app', 'readonly'])} -p ${pick(dbs)}`,
        () =>
          `mysql -e "${pick(['SHOW PROCESSLIST', 'SHOW SLAVE STATUS\\G', 'SHOW DATABASES', `SELECT COUNT(*) FROM ${pick(dbs)}.${pick(tables)}`, 'SHOW VARIABLES LIKE "max_connections"'])}"`,
        () => `mysqladmin -u root -p status`,
        () => `mysqlcheck --all-databases --check`,
        () =>
          `redis-cli -h ${pick(['localhost', 'cache-01.corp.example', 'redis.internal'])} ${pick(['INFO memory', 'INFO replication', 'PING', 'DBSIZE', 'SLOWLOG GET 10', '--latency', 'CONFIG GET maxmemory', 'MONITOR', `GET session:${int(1000, 99999)}`, '--scan --pattern "cache:*" | head'])}`,
        () =>
          `mongosh --quiet --eval '${pick(['db.serverStatus().connections', 'rs.status().ok', 'db.stats()', 'db.orders.countDocuments({})'])}'`,
        () => `cqlsh ${host()} -e "DESCRIBE KEYSPACES"`,
        () =>
          `sqlite3 ${pick(['app.db', 'dev.sqlite3', '/var/lib/grafana/grafana.db'])} '${pick(['.tables', '.schema users', 'SELECT count(*) FROM users;', 'PRAGMA integrity_check;'])}'`,
        () => `alembic upgrade head`,
        () =>
          `python manage.py ${pick(['migrate', 'showmigrations', 'collectstatic --noinput', 'createsuperuser', 'check --deploy', 'dbshell'])}`,
        () => `rails db:${pick(['migrate', 'rollback STEP=1', 'seed'])}`,
        () =>
          `flyway -url=jdbc:postgresql://localhost:5432/${pick(dbs)} ${pick(['info', 'migrate', 'validate'])}`,
        () =>
          `kafka-topics.sh --bootstrap-server localhost:9092 --${pick(['list', `describe --topic ${pick(['orders', 'events', 'shell.commands', 'payments'])}`])}`,
        () =>
          `kafka-consumer-groups.sh --bootstrap-server localhost:9092 --describe --group ${pick(['billing', 'shellwatch', 'indexer'])}`,
        () => `rabbitmqctl list_queues name messages consumers`,
        () => `etcdctl endpoint health --cluster`,
        () => `echo ruok | nc ${pick(['zk01', 'zk02', 'zk03'])}.corp.example 2181`,
        () => `echo stats | nc ${pick(['127.0.0.1', 'memcache-01.corp.example'])} 11211`,
      ])(),
  },
  // system inspection / performance
  {
    cap: 260,
    gen: () =>
      pick([
        () =>
          `df -h${maybe(0.5, ` ${pick(['/', '/var', '/srv', '/data', '/home', '/var/lib/docker'])}`)}`,
        () => `df -i`,
        () =>
          `du -sh ${pick(['/var/log/*', '/var/lib/docker', '~/Downloads', '/srv/*', 'node_modules', '/var/cache/apt', '/home/*'])} ${maybe(0.6, '2>/dev/null | sort -h | tail')}`.trim(),
        () => `ncdu -x ${pick(['/', '/var', '/srv'])}`,
        () => `free -${pick(['m', 'h', 'g'])}`,
        () => `uptime`,
        () => `top -b -n 1 | head -${int(15, 40)}`,
        () => `htop${maybe(0.4, ` -u ${pick(users)}`)}`,
        () => `ps aux --sort=-%${pick(['cpu', 'mem'])} | head -${int(5, 20)}`,
        () => `ps -ef | grep [${pick(apps)[0]}]${pick(apps).slice(1)}`,
        () =>
          `ps -o pid,ppid,etime,cmd -p $(pgrep -d, ${pick(['nginx', 'java', 'node', 'python3', 'postgres'])})`,
        () => `pgrep -a ${pick(['nginx', 'java', 'node', 'gunicorn', 'sidekiq', 'php-fpm'])}`,
        () => `pstree -p ${pick(['', '$(pgrep -o nginx)', '1 | head -40'])}`.trim(),
        () => `iostat -xz ${int(1, 5)} ${int(3, 10)}`,
        () => `vmstat ${int(1, 5)} ${int(5, 20)}`,
        () => `mpstat -P ALL 1 3`,
        () => `sar -u 1 5`,
        () => `iotop -oPa`,
        () => `lsof -i :${pick([80, 443, 5432, 6379, 8080, 3000, 9090])}`,
        () => `lsof -p $(pgrep -o ${pick(['java', 'nginx', 'node'])}) | wc -l`,
        () => `ss -${pick(['tlnp', 'tunap', 's', 'tan state established', 'tlpn sport = :443'])}`,
        () => `netstat -tulpn | grep LISTEN`,
        () =>
          `ip ${pick(['a', '-br a', 'r', 'route get 8.8.8.8', 'link show', '-s link show eth0', 'neigh'])}`,
        () => `ip addr show ${pick(['eth0', 'ens5', 'ens160', 'bond0', 'docker0'])}`,
        () => `ping -c ${int(3, 10)} ${pick([host(), ip(), '1.1.1.1', '8.8.8.8'])}`,
        () => `traceroute ${pick([host(), 'api.github.com', 'registry.npmjs.org'])}`,
        () => `mtr -rw -c ${int(10, 100)} ${pick([host(), '1.1.1.1'])}`,
        () =>
          `dig +short ${pick(['api', 'www', 'db', 'mail', 'vpn'])}.${pick(['example.com', ...domains])}${maybe(0.3, ` @${ip()}`)}`,
        () =>
          `dig ${pick(['MX', 'TXT', 'NS', 'AAAA', 'CNAME'])} ${pick(['corp.example', 'example.com', 'example.org'])} +short`,
        () => `nslookup ${host()}`,
        () => `host ${pick([host(), ip()])}`,
        () =>
          `nc -zv ${pick([host(), ip()])} ${pick([22, 80, 443, 5432, 3306, 6379, 9092, 9200, 2379])}`,
        () =>
          `nc -z -w${int(1, 5)} ${pick([host(), ip()])} ${pick([22, 443, 5432, 6379])} && echo ${pick(['ok', 'open', 'up'])}`,
        () =>
          `timeout ${int(1, 5)} bash -c '</dev/tcp/${pick([host(), ip()])}/${pick([22, 443, 5432, 6379, 9092])}' && echo open`,
        () => `curl -sv telnet://${pick([host(), ip()])}:${pick([5432, 6379, 9092])} --max-time 3`,
        () => `uname -${pick(['r', 'a', 'm'])}`,
        () => `cat /etc/os-release`,
        () => `lsb_release -a`,
        () => `lscpu | grep -E '${pick(['Model name', 'Socket|Core|Thread', 'NUMA'])}'`,
        () => `lsblk${maybe(0.5, ' -f')}`,
        () => `blkid`,
        () => `mount | grep ${pick(['/data', 'nfs', 'xfs', 'ext4', 'tmpfs'])}`,
        () => `findmnt ${pick(['/', '/srv', '/data', '-t nfs4'])}`,
        () =>
          `cat /proc/${pick(['meminfo', 'cpuinfo | grep -c processor', 'loadavg', 'mdstat', 'pressure/memory', 'sys/fs/file-nr'])}`,
        () => `dmesg -T | tail -${int(20, 80)}`,
        () => `dmesg -T | grep -i ${pick(['oom', 'error', 'nvme', 'i/o error', 'link is up'])}`,
        () => `sudo smartctl -a /dev/${pick(['sda', 'sdb', 'nvme0n1', 'nvme1n1'])}`,
        () => `sudo nvme smart-log /dev/nvme${int(0, 3)}`,
        () => `sensors`,
        () => `last -n ${int(10, 50)}`,
        () => `lastb | head`,
        () => `who`,
        () => `w`,
        () => `id${maybe(0.6, ` ${pick(users)}`)}`,
        () => `whoami`,
        () => `groups ${pick(users)}`,
        () =>
          `getent ${pick(['passwd', 'group', 'hosts'])} ${pick([...users, 'sudo', 'docker', host()])}`,
        () => `hostname -${pick(['f', 'I'])}`,
        () => `date -u +%FT%TZ`,
        () => `cal`,
        () => `env | grep -i ${pick(['proxy', 'path', 'kube', 'aws_region', 'java_home'])}`,
        () => `echo $PATH | tr ':' '\\n'`,
        () => `ulimit -n`,
        () =>
          `sysctl ${pick(['vm.swappiness', 'net.core.somaxconn', 'fs.file-max', 'net.ipv4.ip_local_port_range', 'vm.max_map_count'])}`,
        () =>
          `sudo sysctl -w ${pick(['vm.max_map_count=262144', 'net.core.somaxconn=4096', 'vm.swappiness=10', 'net.ipv4.tcp_tw_reuse=1', 'fs.inotify.max_user_watches=524288'])}`,
        () => `sudo sysctl --system`,
        () => `cat /sys/class/net/${pick(['eth0', 'ens5'])}/statistics/rx_errors`,
        () =>
          `watch -n ${int(1, 10)} '${pick(['kubectl get pods -n ' + pick(namespaces), 'df -h /', 'ss -s', 'redis-cli INFO clients | grep connected'])}'`,
        () =>
          `strace -f -e trace=${pick(['openat', 'network', 'file'])} -o /tmp/trace-${pick(apps)}.txt ${pick(['./build/server', 'python3 app.py', 'node dist/main.js'])}`,
        () => `strace -c -p $(pgrep -o ${pick(['nginx', 'php-fpm', 'gunicorn'])}) -f`,
        () => `perf top -p $(pgrep -o ${pick(['java', 'node', 'postgres'])})`,
        () =>
          `gdb -p $(pgrep -o ${pick(['myservice', 'gateway', 'indexer'])}) -batch -ex 'thread apply all bt'`,
        () =>
          `sudo tcpdump -i ${pick(['eth0', 'any', 'ens5'])} -nn ${pick(['port 53', 'port 443 and host ' + ip(), 'icmp', 'tcp[tcpflags] & tcp-rst != 0', 'port 5432'])} -c ${int(20, 500)}`,
        () =>
          `sudo tcpdump -i ${pick(['eth0', 'ens5'])} -nn -w /var/tmp/incident-${int(1000, 9999)}.pcap host ${ip()}`,
        () =>
          `tshark -r ${pick(['capture.pcap', '/var/tmp/incident-4211.pcap'])} -Y ${pick(['dns', 'http.request', 'tls.handshake', 'tcp.analysis.retransmission'])}`,
        () => `nmap -p ${pick([22, 443, 5432, 3306])} ${host()}`,
        () => `nmap --version`,
        () => `iperf3 -c ${host()} -t ${int(10, 60)}`,
        () => `arp -n`,
        () => `ethtool ${pick(['eth0', 'ens5'])}`,
        () => `resolvectl status`,
      ])(),
  },
  // files, permissions, editors
  {
    cap: 260,
    gen: () =>
      pick([
        () =>
          `ls -la${maybe(0.5, ` ${pick(['/etc/nginx/sites-enabled', '/var/www', '/srv', '~/.ssh', '/etc/cron.d', '/opt', '/tmp', '/var/log', '/etc/systemd/system', '/dev/shm', '/etc/sudoers.d'])}`)}`,
        () =>
          `ls -lh --sort=time ${pick(['/var/backups', '/backup', '/var/log/app', 'build/'])} | head`,
        () => `cd ${pick(projDirs)}`,
        () => `cd ${pick(['/etc/nginx', '/var/log', '/srv', '/opt', '~', '-', '..', '/tmp'])}`,
        () =>
          `mkdir -p ${pick(['/srv/releases/' + ver(), '~/tmp/' + pick(apps), '/var/www/' + pick(apps) + '/shared/log', 'build/reports', '/etc/' + pick(apps), '~/.config/' + pick(['nvim', 'k9s', 'git'])])}`,
        () => {
          const f = pick(confFiles);
          return `cp ${f} ${f}.bak.${date()}`;
        },
        () =>
          `sudo cp ${pick(['nginx.conf', 'app.conf', 'haproxy.cfg'])} /etc/${pick(['nginx/conf.d/', 'haproxy/', 'nginx/sites-available/'])}`,
        () =>
          `mv ${pick(['report.csv', 'draft.md', 'old.log', 'config.yaml.new'])} ${pick(['archive/', 'reports/' + date() + '.csv', 'config.yaml', '/tmp/'])}`,
        () => `mv ${pick(apps)}-${ver()}.tgz /srv/releases/`,
        () => `ln -sfn /srv/releases/${ver()} /srv/releases/current`,
        () => `sudo ln -s /etc/nginx/sites-available/${pick(apps)} /etc/nginx/sites-enabled/`,
        () =>
          `rm ${pick(['-f', '-i', '-v'])} ${pick(['*.log', 'nohup.out', 'core.*', 'tmp.txt', '/tmp/' + pick(apps) + '.lock', 'old-report.csv', 'dump.sql'])}`,
        () =>
          `rm -rf ${pick(['~/.cache/pip', '~/.npm/_cacache', '/tmp/' + pick(apps) + '-build-' + int(100, 999), './tmp', 'vendor/bundle', '~/Downloads/old', '/srv/releases/' + ver(), 'target/debug'])}`,
        () => `sudo rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb`,
        () => `sudo rm -f /etc/nginx/sites-enabled/default`,
        () =>
          `chmod ${pick(['755', '644', '600', '640', '750', '700', 'u+x', 'g+w', 'o-rwx', '+x'])} ${pick(['deploy.sh', 'run.sh', '~/.ssh/config', '.env', 'scripts/backup.sh', '/usr/local/bin/' + pick(['helm', 'kubectl', 'yq', 'k9s']), 'secrets.yaml', 'bin/*'])}`,
        () =>
          `sudo chmod ${pick(['2775', 'g+s', '1777', '775'])} ${pick(['/srv/share', '/srv/share/finance', '/var/www/uploads', '/data/shared', '/srv/ftp/incoming'])}`,
        () =>
          `sudo chown -R ${pick(['www-data:www-data', 'deploy:deploy', 'postgres:postgres', pick(users) + ':' + pick(users)])} ${pick(['/var/www/' + pick(apps), '/srv/' + pick(apps), '/var/lib/postgresql/16/main', '/home/' + pick(users) + '/' + pick(apps)])}`,
        () =>
          `sudo chown ${pick(users)}: ${pick(['/srv/share/report.csv', '/opt/' + pick(apps) + '/config.yaml'])}`,
        () => `setfacl -m u:${pick(users)}:rwx ${pick(['/srv/share', '/var/www/uploads'])}`,
        () => `getfacl ${pick(['/srv/share', '/var/www/uploads'])}`,
        () =>
          `touch ${pick(['/tmp/ready', 'build/.stamp', 'logs/.keep', '.env', 'CHANGELOG.md', '/var/run/' + pick(apps) + '.maintenance'])}`,
        () => `stat ${pick(['/etc/passwd', '/etc/shadow', 'deploy.sh', '/var/log/syslog'])}`,
        () => `file ${pick(['dist/app', 'blob.bin', 'download', 'core.12345'])}`,
        () =>
          `sha256sum ${pick(['release.tar.gz', 'ubuntu-24.04-live-server-amd64.iso', 'terraform_1.9.8_linux_amd64.zip'])}`,
        () => `md5sum ${pick(['dump.sql.gz', 'export.csv'])}`,
        () =>
          `base64 ${pick(['-w0', '-d', '--decode'])} ${pick(['cert.pem', 'payload.b64', 'logo.png', 'secret.txt', 'kubeconfig.b64'])}${maybe(0.5, ` > ${pick(['cert.b64', 'payload.bin', 'logo.b64', 'kubeconfig'])}`)}`,
        () => `echo -n "${pick(users)}:$API_TOKEN" | base64`,
        () =>
          `kubectl get secret ${pick(['app-tls', 'db-credentials', 'registry-creds'])} -n ${pick(namespaces)} -o jsonpath='{.data.${pick(['username', 'tls\\.crt', 'password'])}}' | base64 -d`,
        () => `xxd ${pick(['blob.bin', 'firmware.img', 'header.bin'])} | head`,
        () =>
          `vim ${pick([...confFiles, 'README.md', 'src/main.ts', 'deploy/values.yaml', '.gitlab-ci.yml', 'Makefile'])}`,
        () => `sudo vim ${pick(confFiles)}`,
        () => `nano ${pick([...confFiles.slice(0, 6), '.env', 'notes.txt'])}`,
        () => `sudoedit ${pick(confFiles)}`,
        () => `code ${pick(['.', 'src/', 'README.md'])}`,
        () => `cat ${pick([...confFiles, 'README.md', '.env.example', 'package.json', 'go.mod'])}`,
        () => `less ${pick([...logFiles, 'README.md'])}`,
        () => `tree -L ${int(1, 4)} ${pick(['src', '.', 'deploy', 'charts'])}`,
        () => `realpath ${pick(['current', '../shared', 'node_modules/.bin/tsc'])}`,
        () => `readlink -f /srv/releases/current`,
        () => `truncate -s 0 ${pick(['logs/dev.log', 'nohup.out', 'tmp/test.log'])}`,
        () => `> ${pick(['nohup.out', 'logs/dev.log', 'debug.txt'])}`,
        () =>
          `split -l ${pick([1000, 5000, 100000])} ${pick(['users.csv', 'big-export.csv', 'emails.txt'])} part_`,
        () =>
          `shred -u ${pick(['./old-key.pem', 'secrets.txt.bak', '~/Downloads/passport-scan.pdf'])}`,
        () =>
          `dd if=/dev/zero of=${pick(['/swapfile', '/var/tmp/testfile', './disk.img'])} bs=1M count=${pick([512, 1024, 2048, 4096])}${maybe(0.5, ' status=progress')}`,
        () =>
          `sudo dd if=${pick(['ubuntu-24.04-live-server-amd64.iso', 'debian-12.7.0-amd64-netinst.iso', 'raspios.img'])} of=/dev/sd${pick(['b', 'c', 'd'])} bs=4M status=progress conv=fsync`,
        () => `sudo mkswap /swapfile && sudo swapon /swapfile`,
        () =>
          `sudo mkfs.${pick(['ext4', 'xfs'])} /dev/${pick(['nvme1n1', 'nvme2n1', 'sdb', 'sdc', 'vdb', 'xvdf'])}`,
        () =>
          `sudo mount /dev/${pick(['nvme1n1', 'sdb1', 'vdb'])} ${pick(['/data', '/mnt', '/srv/data'])}`,
        () => `sudo umount ${pick(['/mnt', '/data', '/mnt/iso'])}`,
        () =>
          `sudo growpart /dev/${pick(['nvme0n1', 'xvda', 'sda'])} 1 && sudo resize2fs /dev/${pick(['nvme0n1p1', 'xvda1', 'sda1'])}`,
        () => `sudo xfs_growfs ${pick(['/', '/data'])}`,
        () => `sudo lvextend -r -L +${int(5, 50)}G /dev/vg0/${pick(['data', 'var', 'home'])}`,
        () => `sudo pvs && sudo vgs && sudo lvs`,
        () => `sudo fdisk -l /dev/${pick(['sda', 'nvme0n1', 'vdb'])}`,
        () => `sudo parted /dev/${pick(['sdb', 'nvme1n1', 'vdb'])} print`,
        () => `sudo mdadm --detail /dev/md${int(0, 2)}`,
        () => `sudo cryptsetup status ${pick(['data_crypt', 'home_crypt'])}`,
      ])(),
  },
  // users, cron, history, misc admin
  {
    cap: 190,
    gen: () =>
      pick([
        () => `crontab -l`,
        () => `crontab -e`,
        () => `sudo crontab -u ${pick(users)} -l`,
        () => `cat /etc/crontab`,
        () => `ls -l /etc/cron.d /etc/cron.daily`,
        () => `grep CRON /var/log/syslog | tail -${int(10, 50)}`,
        () => `run-parts --test /etc/cron.${pick(['daily', 'weekly', 'hourly'])}`,
        () =>
          `history | grep ${pick(['ssh', 'kubectl', 'docker', 'terraform', 'git push', 'psql', 'ansible'])}`,
        () => `history | tail -${int(10, 50)}`,
        () => `history ${int(10, 40)}`,
        () =>
          `grep '${pick(['kubectl', 'terraform apply', 'docker run', 'ssh '])}' ~/.bash_history | tail`,
        () => `export HISTTIMEFORMAT='%F %T '`,
        () => `export HISTSIZE=${pick([10000, 50000, 100000])}`,
        () => `export HISTCONTROL=${pick(['ignoredups', 'ignoreboth', 'erasedups'])}`,
        () => `shopt -s histappend`,
        () => `export PROMPT_COMMAND='history -a'`,
        () =>
          `alias ${pick(['k=kubectl', 'll="ls -alF"', 'tf=terraform', 'gs="git status"', 'dc="docker compose"', "please='sudo'", "sudo='sudo '"])}`,
        () => `source ~/.${pick(['bashrc', 'zshrc', 'profile'])}`,
        () =>
          `echo 'export ${pick(['PATH="$HOME/.local/bin:$PATH"', 'EDITOR=vim', 'KUBECONFIG=$HOME/.kube/config', 'GOPATH=$HOME/go', 'AWS_PROFILE=' + pick(envs)])}' >> ~/.${pick(['bashrc', 'zshrc', 'profile'])}`,
        () => `echo "alias ${pick(['k=kubectl', "ll='ls -alF'", 'tf=terraform'])}" >> ~/.bashrc`,
        () =>
          `sudo useradd -m -s /bin/bash -G ${pick(['developers', 'www-data', 'analysts'])} ${pick(['jsmith', 'akumar', 'mlopez', 'contractor-' + pick(['jdoe', 'rkim'])])}`,
        () =>
          `sudo usermod -aG ${pick(['www-data', 'developers', 'video', 'systemd-journal', 'analysts'])} ${pick(users)}`,
        () => `sudo userdel -r ${pick(['contractor-jdoe', 'olduser', 'intern2023'])}`,
        () => `sudo passwd ${pick(['-S', '-e'])} ${pick(users)}`,
        () => `sudo chage -l ${pick(users)}`,
        () => `sudo -l`,
        () =>
          `sudo -u ${pick(['postgres', 'www-data', 'deploy', 'jenkins'])} ${pick(['psql', 'bash -lc "cd ~ && ls"', 'crontab -l', 'php artisan queue:restart', 'whoami'])}`,
        () => `sudo -i`,
        () => `su - ${pick(['deploy', 'postgres'])}`,
        () => `sudo visudo -c`,
        () => `sudo visudo -f /etc/sudoers.d/${pick(['deploy', 'ci', 'monitoring'])}`,
        () => `sudo cat /etc/sudoers.d/${pick(['deploy', 'ci', 'README'])}`,
        () => `sudo grep -r NOPASSWD /etc/sudoers.d/`,
        () =>
          `echo "${pick(['0 3 * * * root /usr/local/bin/backup.sh', '*/5 * * * * www-data php /var/www/app/artisan schedule:run', '30 2 * * 0 root /usr/sbin/logrotate -f /etc/logrotate.conf'])}" | sudo tee /etc/cron.d/${pick(['backup', 'laravel', 'logrotate-weekly'])}`,
        () =>
          `echo "sudo systemctl restart ${pick(apps)}" | at ${pick(['02:00', '03:30', 'now + 2 hours', 'midnight'])}`,
        () => `atq`,
        () => `screen -S ${pick(apps)}`,
        () => `tmux ${pick(['new -s ops', 'attach -t ops', 'ls', 'kill-session -t old'])}`,
        () =>
          `nohup ${pick(['./bin/worker', 'python3 etl.py --date ' + date(), 'node dist/main.js'])} > ${pick(['worker.log', 'etl.log', 'app.log'])} 2>&1 &`,
        () => `kill ${pick(['', '-HUP ', '-TERM ', '-9 ', '-USR1 '])}${int(1000, 65000)}`,
        () => `kill -HUP $(cat /run/${pick(['nginx', 'haproxy'])}.pid)`,
        () => `kill -0 $(cat /run/${pick(apps)}.pid) && echo running`,
        () =>
          `pkill -f '${pick(['celery worker', 'gunicorn: worker', 'webpack --watch', 'node dist/main.js'])}'`,
        () => `sudo reboot`,
        () => `sudo shutdown -r ${pick(['+5 "kernel update"', '+10', '02:00'])}`,
        () =>
          `sudo ufw ${pick(['status verbose', 'allow 443/tcp', 'allow from 10.0.0.0/8 to any port 22', 'deny 23', 'reload'])}`,
        () => `sudo iptables -L -n -v${maybe(0.5, ' --line-numbers')}`,
        () => `sudo iptables -A INPUT -p tcp --dport ${pick([80, 443, 9100, 8080])} -j ACCEPT`,
        () =>
          `sudo firewall-cmd --${pick(['list-all', 'reload', 'permanent --add-service=https', 'permanent --add-port=9100/tcp', 'get-active-zones'])}`,
        () => `sudo nft list ruleset`,
        () => `getenforce`,
        () => `sestatus`,
        () =>
          `sudo restorecon -Rv ${pick(['/var/www/html', '/srv/app', '/home/' + pick(users) + '/.ssh'])}`,
        () => `sudo semanage port -a -t http_port_t -p tcp ${pick([8081, 8443, 9000])}`,
        () => `sudo aa-status`,
        () => `sudo auditctl -l`,
        () =>
          `sudo ausearch -m ${pick(['USER_LOGIN', 'AVC', 'EXECVE'])} -ts ${pick(['today', 'recent', 'yesterday'])}`,
        () => `sudo aureport --${pick(['auth', 'failed', 'summary'])}`,
        () => `sudo fail2ban-client status ${pick(['sshd', 'nginx-http-auth', ''])}`.trim(),
        () => `sudo lynis audit system --quick`,
        () => `sudo rkhunter --check --sk`,
        () => `sudo clamscan -r -i ${pick(['/srv/uploads', '/home', '/var/www'])}`,
        () =>
          `sudo modprobe ${pick(['br_netfilter', 'overlay', 'nf_conntrack', 'zfs', 'wireguard', 'nvme_tcp'])}`,
        () => `lsmod | grep ${pick(['nvidia', 'zfs', 'br_netfilter', 'kvm', 'wireguard'])}`,
        () => `modinfo ${pick(['zfs', 'ixgbe', 'ena', 'nvme'])}`,
        () => `sudo dkms status`,
        () => `sudo update-grub`,
        () => `sudo update-initramfs -u`,
        () => `sudo hostnamectl set-hostname ${host().split('.')[0]}`,
        () => `echo "${ip()} ${host()}" | sudo tee -a /etc/hosts`,
        () =>
          `sudo logrotate -${pick(['d', 'f'])} /etc/logrotate.d/${pick(['nginx', pick(apps), 'rsyslog'])}`,
        () =>
          `logger -t ${pick(['deploy', 'backup', 'maintenance'])} "${pick(['starting deploy of', 'finished backup of', 'rotating keys for'])} ${pick(apps)}"`,
        () => `sudo nginx -t && sudo systemctl reload nginx`,
        () => `sudo apachectl configtest`,
        () => `sudo haproxy -c -f /etc/haproxy/haproxy.cfg`,
        () => `sudo sshd -t`,
        () => `sudo postfix check`,
        () => `mailq | tail`,
        () =>
          `echo "${pick(['backup done', 'deploy finished', 'disk at 85%'])}" | mail -s "${pick(['[ops] backup', '[ops] deploy', '[alert] disk'])}" ops@corp.example`,
        () =>
          `script -q -c "${pick(['make test', 'ansible-playbook site.yml --check', './scripts/migrate.sh ' + pick(envs)])}" ${pick(['build.log', 'session-' + date() + '.log'])}`,
        () => `python3 -m http.server ${pick([8000, 8080, 9000])} --bind 127.0.0.1`,
        () => `python3 -c 'import sys; print(sys.version)'`,
        () =>
          `python3 -c "import ${pick(['ssl', 'sqlite3', 'json', 'platform'])}; print(${pick(['ssl.OPENSSL_VERSION', 'sqlite3.sqlite_version', 'json.__version__', 'platform.platform()'])})"`,
        () =>
          `node -e 'console.log(${pick(['process.version', 'require("os").cpus().length', 'Intl.DateTimeFormat().resolvedOptions().timeZone'])})'`,
        () =>
          `perl -pi -e 's/${pick(['DEBUG', 'localhost', 'v1'])}/${pick(['INFO', 'db.internal', 'v2'])}/g' ${pick(['config.ini', 'app.conf', 'docs/api.md'])}`,
        () =>
          `timeout ${int(10, 300)} ${pick(['./scripts/smoke-test.sh', 'curl -s https://api.corp.example/healthz', 'kubectl rollout status deploy/' + pick(apps) + ' -n ' + pick(namespaces)])}`,
        () =>
          `nice -n ${int(5, 19)} ${pick(['tar czf /backup/home.tgz /home', 'gzip -9 big.log', 'make -j4'])}`,
        () => `ionice -c3 rsync -a /srv/data/ /mnt/backup/data/`,
        () =>
          `env ${pick(['NODE_ENV=production', 'RAILS_ENV=production', 'DEBUG=1', 'LOG_LEVEL=debug'])} ${pick(['npm start', 'bundle exec rails s', 'python3 app.py', './bin/server'])}`,
        () =>
          `xargs -a ${pick(['packages.txt', 'hosts.txt'])} ${pick(['sudo apt-get install -y', '-I{} ssh {} uptime'])}`,
        () =>
          `watch -n 2 'ls -l ${pick(['/srv/incoming', '/var/spool/postfix/deferred'])} | wc -l'`,
      ])(),
  },
];

// ---- hand-written look-alikes and one-offs ----------------------------------
const handwritten = `
rm -rf ./build
rm -rf node_modules package-lock.json && npm install
sudo rm -rf /var/cache/nginx/*
sudo rm -rf /tmp/pip-build-*
mv build/app.tar.gz /srv/releases/ && rm -rf build
mv ~/Downloads/report.pdf ~/Documents/
rm ~/Downloads/*.dmg
curl -o kubectl.sha256 -L "https://dl.k8s.io/release/v1.31.2/bin/linux/amd64/kubectl.sha256"
curl -fsSL -o get_helm.sh https://raw.githubusercontent.com/helm/helm/main/scripts/get-helm-3 && less get_helm.sh
chmod 700 get_helm.sh
wget -qO- https://api.ipify.org; echo
curl -s https://ifconfig.me
curl -sS https://checkip.amazonaws.com
chmod 755 /usr/local/bin/deploy
chmod 755 ~/bin/backup.sh
sudo chmod 644 /etc/logrotate.d/app
chmod 600 ~/.ssh/id_ed25519
chmod 400 ~/.ssh/aws-prod.pem
crontab -l | grep backup
crontab -l > ~/crontab.bak.$(date +%F)
history | grep 'docker run'
history | grep -i certbot
base64 -d < secret.b64 > secret.txt
base64 deploy-key.pub | tr -d '\\n'
nc -z -v -w 3 mail01.corp.example 25
nc -vz 10.0.4.12 22 2>&1 | grep succeeded
echo "GET / HTTP/1.0" | nc -q1 web-03.corp.example 80
sudo systemctl restart nginx
sudo systemctl restart docker && docker ps
sudo tar czf /backup/etc-$(hostname -s)-$(date +%F).tgz /etc
tar czf ~/backups/dotfiles-$(date +%F).tgz ~/.bashrc ~/.vimrc ~/.gitconfig
sudo tar -C / -xzf /backup/etc-2024-10-31.tgz etc/nginx
gpg --import ops-team.asc
gpg --list-keys
gpg --verify SHA256SUMS.gpg SHA256SUMS
echo "$(cat ~/.ssh/id_ed25519.pub)" | pbcopy
ssh-keygen -t ed25519 -f ~/.ssh/deploy_key -N "" -C "deploy@ci"
cat /etc/passwd | grep -v nologin
getent passwd | awk -F: '$3 >= 1000'
sudo grep -E '^(root|deploy):' /etc/passwd
awk -F: '($3 == 0) {print $1}' /etc/passwd
ls -l /etc/shadow /etc/gshadow
sudo ls -la /root
sudo du -sh /root/.cache
find ~/.ssh -type f -name '*.pub'
find . -name '.env.example'
grep -n DATABASE_URL .env.example
grep -rn "password" ./src --include='*.py' | grep -v test
grep -i 'passwordauthentication' /etc/ssh/sshd_config
kubectl get secrets -n payments
kubectl describe secret app-tls -n web
aws secretsmanager describe-secret --secret-id prod/billing/db
vault kv metadata get secret/billing/prod
docker run -d --name cadvisor -v /:/rootfs:ro -v /var/run:/var/run:ro -v /sys:/sys:ro -v /var/lib/docker/:/var/lib/docker:ro -p 8081:8080 gcr.io/cadvisor/cadvisor:v0.49.1
docker run --rm --network host nicolaka/netshoot dig api.corp.example
kubectl debug -it deploy/checkout -n checkout --image=busybox:1.36 --target=app
kubectl run tmp-shell --rm -i --tty --image nicolaka/netshoot -n platform -- /bin/bash
sudo nsenter -t $(docker inspect -f '{{.State.Pid}}' billing-api) -n ip addr
iptables -F DOCKER-USER
sudo iptables -t nat -L -n -v
sudo ufw status numbered
sudo systemctl status firewalld
sudo setenforce 1
sudo aa-complain /etc/apparmor.d/usr.sbin.mysqld
sudo systemctl restart auditd
sudo systemctl restart rsyslog
sudo systemctl restart filebeat
sudo filebeat test output
sudo osqueryi "select * from listening_ports limit 10;"
sudo journalctl -u falcon-sensor --since today --no-pager
echo 3 | sudo tee /proc/sys/vm/drop_caches
sudo sync && echo 1 | sudo tee /proc/sys/vm/drop_caches
echo 'vm.max_map_count=262144' | sudo tee /etc/sysctl.d/99-elasticsearch.conf
echo br_netfilter | sudo tee /etc/modules-load.d/k8s.conf
echo 'deb [signed-by=/etc/apt/keyrings/docker.gpg] https://download.docker.com/linux/ubuntu noble stable' | sudo tee /etc/apt/sources.list.d/docker.list
echo 'Acquire::Retries "3";' | sudo tee /etc/apt/apt.conf.d/80-retries
sudo cp /etc/kubernetes/admin.conf $HOME/.kube/config && sudo chown $(id -u):$(id -g) $HOME/.kube/config
sudo kubeadm token create --print-join-command
sudo kubeadm upgrade plan
sudo crictl ps
sudo crictl logs $(sudo crictl ps -q --name kube-apiserver) | tail
sudo ctr -n k8s.io images ls | head
sudo etcdctl --cacert=/etc/kubernetes/pki/etcd/ca.crt --cert=/etc/kubernetes/pki/etcd/server.crt --key=/etc/kubernetes/pki/etcd/server.key snapshot save /var/backups/etcd-$(date +%F).db
sudo -u postgres pg_basebackup -D /var/lib/postgresql/16/replica -R -X stream -h pg-primary.internal
psql -c "DROP TABLE IF EXISTS tmp_import_20241102"
dropdb --if-exists inventory_ci
createdb -O app billing_test
redis-cli -n 3 DEL "lock:report-export"
redis-cli --bigkeys
mysql -e "PURGE BINARY LOGS BEFORE NOW() - INTERVAL 7 DAY"
curl -X DELETE "http://localhost:9200/logs-2024.09.*?pretty"
curl -s -X PUT "http://localhost:9200/_snapshot/nightly/snap-$(date +%F)?wait_for_completion=true"
zfs destroy tank/ci-scratch@autosnap_2024-10-01_00:00:00_daily
restic forget --keep-daily 7 --keep-weekly 4 --keep-monthly 6 --prune
borg prune -v --list --keep-daily=7 --keep-weekly=4 /srv/borg/repo
find /var/backups/pg -name '*.dump' -mtime +14 -delete
find /srv/releases -maxdepth 1 -mindepth 1 -type d -mtime +30 -exec rm -rf {} +
sudo passwd -l contractor-rkim
sudo usermod -L -e 2024-11-30 intern2023
sudo chsh -s /bin/zsh alice
sudo gpasswd -d bob docker
id -nG alice
sudo -k
sudo -v
touch -d '2 hours ago' /tmp/ci-marker
touch -r CHANGELOG.md dist/CHANGELOG.md
stat -c '%y %n' /var/log/syslog
sudo chattr +i /etc/resolv.conf
lsattr /etc/resolv.conf
mkdir -p ~/.local/share/fonts
mkdir .github && mkdir .github/workflows
cp /bin/ls /mnt/rootfs/bin/
sudo mount --bind /proc /mnt/rootfs/proc
sudo chroot /mnt/rootfs /bin/bash -c 'apt-get update'
sudo cp -a /etc/ssh/sshd_config /etc/ssh/sshd_config.orig
sudo sed -i 's/^#\\?PermitRootLogin.*/PermitRootLogin prohibit-password/' /etc/ssh/sshd_config
sudo sed -i 's/^X11Forwarding yes/X11Forwarding no/' /etc/ssh/sshd_config
grep -n pam_faillock /etc/pam.d/system-auth
sudo authselect current
echo 'export GOPATH=$HOME/go' >> ~/.bashrc
echo 'source <(kubectl completion bash)' >> ~/.bashrc
echo 'complete -o default -F __start_kubectl k' >> ~/.bashrc
eval "$(pyenv init -)"
eval "$(starship init bash)"
eval $(minikube docker-env)
export $(grep -v '^#' .env | xargs)
set -a; source .env; set +a
for f in *.log; do gzip "$f"; done
for h in web-01 web-02 web-03; do ssh $h 'sudo systemctl restart nginx'; done
for ns in payments checkout platform; do kubectl get pods -n $ns; done
for i in $(seq 1 10); do curl -s -o /dev/null -w "%{http_code}\\n" https://api.corp.example/healthz; sleep 1; done
while true; do kubectl get pods -n payments; sleep 5; done
until pg_isready -h localhost; do sleep 1; done
while read -r line; do echo "$line" | jq -r .msg; done < app.jsonl
seq 1 20 | xargs -P4 -I{} curl -s -o /dev/null "https://staging.corp.example/api/items/{}"
IFS=, read -r host port <<< "db01.corp.example,5432"
printf '%s\\n' "$HOSTNAME"
printf 'PING\\r\\n' | nc -q1 cache-02.corp.example 6379
date; uptime; df -h /
hostname; whoami
uname -a; cat /etc/os-release
echo $SHELL
type -a python3
command -v terraform || echo "terraform missing"
which kubectl helm
tput cols
clear
exit
logout
reset
man rsync
man 5 crontab
tldr tar
help trap
trap 'rm -f "$lockfile"' EXIT
trap 'echo "interrupted"; exit 130' INT
export PS1='\\u@\\h:\\w\\$ '
export EDITOR=vim
export KUBECONFIG=~/.kube/config:~/.kube/staging.yaml
export AWS_PROFILE=staging
unset AWS_SESSION_TOKEN
unset KUBECONFIG
source /opt/ros/humble/setup.bash
. ./venv/bin/activate
deactivate
conda activate ml
jupyter lab --no-browser --port 8888
nvidia-smi
nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv -l 5
ollama run llama3
git config --global user.email "alice@corp.example"
git config --global pull.rebase true
git config core.hooksPath .githooks
git lfs pull
gh pr create --fill
gh pr checks
gh run watch
glab mr list
svn update
hg pull -u
terraform fmt -recursive
terraform console
ansible-inventory -i inventory/prod --graph
ansible-playbook -i inventory/prod site.yml --tags nginx --diff
molecule test
vagrant up
vagrant ssh
virsh list --all
virsh start build-vm-02
qemu-img info disk.qcow2
lxc list
multipass launch --name dev 24.04
incus exec web01 -- bash
openstack server list
pulumi preview
cdk diff
sam build && sam deploy --guided
serverless deploy --stage staging
az login --use-device-code
gcloud config set project corp-analytics
gsutil ls gs://corp-ml-datasets/
gsutil -m rsync -r ./exports gs://corp-ml-datasets/exports
azcopy copy ./reports "https://corpstore.blob.core.windows.net/reports?$SAS" --recursive
s3cmd ls s3://corp-artifacts
mc ls minio/builds
rclone config
rclone lsd s3-backup:
rsync -avh --progress /media/usb/photos/ ~/Pictures/
sudo apt-get install -y ./grafana_11.3.0_amd64.deb
sudo dpkg -i ./node_exporter_1.8.2_amd64.deb
sudo rpm -Uvh https://dl.fedoraproject.org/pub/epel/epel-release-latest-9.noarch.rpm
sudo add-apt-repository ppa:deadsnakes/ppa
sudo snap install kubectl --classic
flatpak update
sudo needrestart -r l
sudo do-release-upgrade -c
cat /var/run/reboot-required
sudo checkrestart
lsof +L1 | head
sudo lsof -nP -iTCP -sTCP:LISTEN
ss -o state established '( dport = :443 )'
conntrack -L | wc -l
sudo wg show
sudo ip route add 10.50.0.0/16 via 10.0.0.1
sudo ip link set eth1 up
sudo nmcli con up id "corp-vpn"
nmcli dev wifi list
sudo openvpn --config ~/vpn/corp.ovpn
sudo tailscale status
tailscale ping build-03
cloudflared tunnel list
cloudflared tunnel run corp-edge
ssh -N -L 3000:grafana.internal:3000 bastion.corp.example
ssh -A bastion.corp.example
sshpass -f /run/secrets/switch-password ssh netops@sw-core-02 'show interfaces status'
ansible-playbook -i inventory/network switches.yml --ask-vault-pass
scp -r deploy@web-01.corp.example:/var/log/nginx ./incident-4211/
rsync -az backup01.corp.example:/backups/pg/ ./restore/
smbclient -L //fileserver.corp.example -U bob
sudo mount -t nfs4 nfs01.corp.example:/exports/shared /mnt/shared
showmount -e nfs01.corp.example
ldapsearch -x -H ldap://ldap.corp.example -b dc=corp,dc=example uid=alice cn mail
kinit alice@CORP.EXAMPLE
klist
realm list
id alice@corp.example
sudo sss_cache -E
openssl passwd -6
htpasswd -c /etc/nginx/.htpasswd-staging ops
pwgen 32 1
apg -m 20 -n 3
uuidgen
date +%s
sleep 30
true
yes | sudo apt-get install fortune-mod
wall "web-02 going down for maintenance in 10 minutes"
sudo dmidecode -t system
systemd-detect-virt
cat /sys/class/dmi/id/product_name
hwclock --show
sudo hdparm -Tt /dev/nvme0n1
fio --name=randread --rw=randread --bs=4k --size=1G --runtime=60 --filename=/data/fio.test
stress-ng --cpu 4 --timeout 60s --metrics-brief
sysbench cpu --threads=4 run
ab -n 1000 -c 50 https://staging.corp.example/
wrk -t4 -c100 -d30s https://staging.corp.example/api/health
hey -z 30s -c 20 https://staging.corp.example/
k6 run load/checkout.js
locust -f load/locustfile.py --headless -u 50 -r 5 -t 2m
jmeter -n -t plans/checkout.jmx -l results.jtl
speedtest-cli --simple
`
  .trim()
  .split('\n');

// ---- near-misses of the planned pack ----------------------------------------------
/** @returns {string[]} */
function nearMisses() {
  const text = readFileSync(resolve(root, 'test/fixtures/corpus/near-misses.txt'), 'utf8');
  return text.split('\n').filter((l) => l.trim() !== '');
}

// ---- assemble ------------------------------------------------------------------
/** @type {Set<string>} */
const seen = new Set();
/** @type {string[]} */
const lines = [];
/** @param {string} line @returns {boolean} */
function add(line) {
  const l = line.replace(/\s+$/, '');
  if (l === '' || l.startsWith('#') || seen.has(l)) return false;
  seen.add(l);
  lines.push(l);
  return true;
}

for (const l of nearMisses()) add(l);
for (const l of handwritten) add(l);

const counts = families.map(() => 0);
let stall = 0;
while (lines.length < target && stall < 200000) {
  const i = Math.floor(rand() * families.length);
  const fam = families[i];
  if (counts[i] >= fam.cap) {
    stall++;
    continue;
  }
  if (add(fam.gen())) counts[i]++;
  else stall++;
}

// Shuffle deterministically so families interleave as they would in real logs.
for (let i = lines.length - 1; i > 0; i--) {
  const j = Math.floor(rand() * (i + 1));
  [lines[i], lines[j]] = [lines[j], lines[i]];
}

writeFileSync(outFile, lines.join('\n') + '\n');
process.stdout.write(`${lines.length} lines -> ${outFile} (families: ${counts.join(',')})\n`);
