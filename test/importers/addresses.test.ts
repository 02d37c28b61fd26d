/**
 * Addresses found in configuration values (engine/importers/addresses.ts): what the Kubernetes
 * converter turns into dependencies, so a miss loses an edge and a false hit invents one.
 */
import { describe, expect, it } from 'vitest';
import { addressesIn, keySaysAddress, serviceOf } from '../../engine/importers/addresses.ts';

const hosts = (key: string, value: string) => addressesIn(key, value).map((a) => (a.port === undefined ? a.host : `${a.host}:${a.port}`));

describe('addresses in configuration values', () => {
  it('reads a URL host and port in lower case, keeping the token as written for reports', () => {
    expect(addressesIn('X', 'HTTP://Orders-DB:8080/path')).toEqual([{ text: 'HTTP://Orders-DB:8080/path', host: 'orders-db', port: 8080 }]);
    expect(addressesIn('X', 'amqp://user:secret@rabbit.queue.svc/vhost')).toEqual([
      { text: 'amqp://user:secret@rabbit.queue.svc/vhost', host: 'rabbit.queue.svc' },
    ]);
    expect(hosts('X', 'http://10.0.0.5:9000')).toEqual(['10.0.0.5:9000']);
  });

  it('refuses URL hosts that are not host names: bare numbers and loopback', () => {
    expect(hosts('X', 'http://12345/x')).toEqual([]);
    expect(hosts('X', 'http://localhost:3000 http://127.0.0.1:9000 http://[::1]:80')).toEqual([]);
  });

  it('reads a bracketed URL host as an IPv6 address, reported without brackets in its one canonical spelling', () => {
    expect(addressesIn('X', 'http://[fd00::1]:8080/')).toEqual([{ text: 'http://[fd00::1]:8080/', host: 'fd00::1', port: 8080 }]);
    expect(hosts('X', 'postgres://u:pw@[FD00:0:0::A]/db')).toEqual(['fd00::a']);
    // Loopback and the wildcard are ignored however they are spelt.
    expect(hosts('X', 'http://[0:0:0:0:0:0:0:1]:80 http://[::]:8080 http://[::1]/')).toEqual([]);
  });

  it('refuses a bracketed URL host that is not an IPv6 address: brackets hold an IP literal, never a name', () => {
    expect(hosts('UPSTREAM_URL', 'http://[orders-db]/ http://[orders-db]:80/ http://[10.0.0.1]/ http://[fe80::1%25eth0]/')).toEqual([]);
    expect(hosts('OPTS', 'backend=http://[orders.shop.svc]:8080')).toEqual([]);
  });

  it('reads host:port with a name or an IPv4 address, but not a time of day or a wildcard listener', () => {
    expect(hosts('X', 'redis:6379')).toEqual(['redis:6379']);
    expect(hosts('X', '10.1.2.3:5432')).toEqual(['10.1.2.3:5432']);
    expect(hosts('X', 'Kafka-0.Kafka:9092')).toEqual(['kafka-0.kafka:9092']);
    expect(hosts('X', '10:30')).toEqual([]);
    expect(hosts('X', '0.0.0.0:8080')).toEqual([]);
  });

  it('splits a value on whitespace, commas, semicolons, quotes and brackets', () => {
    expect(hosts('X', `"redis:6379";(db:5432) <mq:5672>, 'es:9200'\tetcd:2379`)).toEqual([
      'redis:6379',
      'db:5432',
      'mq:5672',
      'es:9200',
      'etcd:2379',
    ]);
  });

  it('reads key=value pairs with the pair key deciding whether a bare name is an address', () => {
    expect(hosts('OPTS', 'host=orders-db port=5432 user=shop')).toEqual(['orders-db']);
    expect(hosts('DB_HOST', 'user=shop')).toEqual([]);
    // An `=` after a URL's scheme is part of the URL, not a key.
    expect(hosts('CALLBACK', 'http://api.shop/cb?x=1')).toEqual(['api.shop']);
  });

  it('reads a token that starts with `=` as written, so with no key it is no address', () => {
    expect(hosts('DB_HOST', '=orders-db:5432 =orders-db =http://api.shop/')).toEqual([]);
  });

  it('takes cluster DNS names whatever the key, and bare names only under a key that says address', () => {
    expect(hosts('ANYTHING', 'orders.shop.svc')).toEqual(['orders.shop.svc']);
    expect(hosts('ANYTHING', 'pg-0.pg.data.svc.cluster.local')).toEqual(['pg-0.pg.data.svc.cluster.local']);
    expect(hosts('ANYTHING', 'orders')).toEqual([]);
    expect(hosts('ORDERS_URL', 'orders')).toEqual(['orders']);
    expect(hosts('spring.redis.host', 'redis.cache')).toEqual(['redis.cache']);
    // `svc` as the first or second label is not a cluster name.
    expect(hosts('ANYTHING', 'svc.example.com')).toEqual([]);
  });

  it('ignores placeholders that are filled in at run time', () => {
    expect(hosts('DB_HOST', '$(DB_SERVICE_HOST)')).toEqual([]);
    expect(hosts('DB_URL', 'postgres://${DB}:5432/x')).toEqual([]);
  });

  it('never reads the name inside a $(NAME) placeholder as a host, while reading the addresses around it', () => {
    expect(hosts('DB_HOST', '$(ORDERS)')).toEqual([]);
    expect(hosts('DB_HOST', '$$(ORDERS)')).toEqual([]);
    expect(hosts('DB_HOST', 'host=$(orders-db)')).toEqual([]);
    expect(hosts('DB_URL', 'postgres://$(DB_USER)@$(DB_HOST):5432/orders')).toEqual([]);
    expect(hosts('DB_SERVERS', '$(PRIMARY),replica-db;(cache.data.svc)')).toEqual(['replica-db', 'cache.data.svc']);
    expect(addressesIn('BROKERS', 'kafka:9092 $(EXTRA) mq:5672')).toEqual([
      { text: 'kafka:9092', host: 'kafka', port: 9092 },
      { text: 'mq:5672', host: 'mq', port: 5672 },
    ]);
    // Nor is a host name with a placeholder inside it, while placeholder credentials hide no host.
    expect(hosts('DB_HOST', 'orders$(SUFFIX)')).toEqual([]);
    expect(hosts('DB_HOST', '$(PREFIX)orders.shop')).toEqual([]);
    expect(hosts('DB_HOST', 'orders-${ENV}.shop')).toEqual([]);
    expect(hosts('DB_URL', 'postgres://$(DB_USER):${DB_PASSWORD}@orders-db:5432/orders')).toEqual(['orders-db:5432']);
    // A multi-line file mentioning a placeholder next to a cluster name.
    expect(hosts('config', 'primary: $(PRIMARY)\nreplica: replica.db.svc:5432\n')).toEqual(['replica.db.svc:5432']);
  });

  it('scans a multi-line value (a mounted file) for URLs, host:port and cluster names only', () => {
    const file = 'host: orders-db\nurl: postgres://pg:5432/x\ncache: redis:6379\nmq: mq.data.svc\n';
    expect(hosts('DB_HOST', file)).toEqual(['pg:5432', 'redis:6379', 'mq.data.svc']);
  });

  it('recognises keys that say they hold an address, ignoring trailing punctuation', () => {
    for (const key of [
      'DB_HOST',
      'db.hostname',
      'SMTP_SERVER',
      'KAFKA_BROKERS',
      'API_ENDPOINT',
      'SENTRY_DSN',
      'upstream',
      'REDIS_URL',
      'AMQP_URI',
      'BIND_ADDR',
      'DB_HOST:',
      'db_host__',
    ]) {
      expect([key, keySaysAddress(key)]).toEqual([key, true]);
    }
    for (const key of ['LOG_LEVEL', 'HOST_PORT', 'VERSION', 'URL_PREFIX', '']) expect([key, keySaysAddress(key)]).toEqual([key, false]);
  });
});

describe('what is not an address', () => {
  it('reads one-letter labels and four-part IPv4 addresses, but not numbers that only look like them', () => {
    expect(hosts('DB_HOST', 'x')).toEqual(['x']);
    expect(hosts('X', 'a.b.svc')).toEqual(['a.b.svc']);
    expect(hosts('X', '10.10.10.10:80')).toEqual(['10.10.10.10:80']);
    expect(hosts('X', '9999.1.2.3:80 1.2.3.4.5:80')).toEqual([]);
    expect(hosts('DB_HOST', '12345')).toEqual([]);
  });

  it('reads a URL or host:port only as a whole token, not out of the middle of one', () => {
    expect(hosts('X', '9http://api.shop /redis:6379 redis:6379/0')).toEqual([]);
  });

  it('splits key=value before a URL, so a URL value keeps its key', () => {
    expect(hosts('OPTS', 'backend=http://api.shop:8080/v1')).toEqual(['api.shop:8080']);
  });
});

describe('the Service a host names', () => {
  it('reads name and namespace from cluster DNS names, and takes a bare name as a Service of the pod namespace', () => {
    expect(serviceOf('orders.shop.svc', 'x')).toEqual({ name: 'orders', namespace: 'shop', certain: true });
    expect(serviceOf('orders.shop.svc.cluster.local', 'x')).toEqual({ name: 'orders', namespace: 'shop', certain: true });
    expect(serviceOf('orders', 'shop')).toEqual({ name: 'orders', namespace: 'shop', certain: true });
  });

  it('guesses name.namespace for two labels, and answers nothing for other dotted names', () => {
    expect(serviceOf('redis.cache', 'shop')).toEqual({ name: 'redis', namespace: 'cache', certain: false });
    expect(serviceOf('svc.cache', 'shop')).toEqual({ name: 'svc', namespace: 'cache', certain: false });
    expect(serviceOf('a.b.c', 'shop')).toBeUndefined();
  });
});
