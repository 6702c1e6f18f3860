// The emulator's `fields` system parameter: pure, no server.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseFieldSelection, selectFields } from '../../src/emulator/fieldSelection';

function select(value: unknown, text: string): unknown {
  const selection = parseFieldSelection(text);
  if ('error' in selection) assert.fail(selection.error);
  return selectFields(value, selection);
}

const SERVICE = {
  name: 'projects/p/locations/l/services/a',
  uid: 'u',
  template: { labels: { 'commit-sha': 'abc' }, containers: [{ image: 'img', args: ['x'] }] },
  trafficStatuses: [{ type: 'LATEST', percent: 100, revision: 'a-1' }],
};

describe('field selection', () => {
  test('keeps the fields named, a nested one by `.` or `/`, and leaves out the rest', () => {
    assert.deepEqual(select(SERVICE, 'name,template.labels'), { name: SERVICE.name, template: { labels: { 'commit-sha': 'abc' } } });
    assert.deepEqual(select(SERVICE, 'template/labels'), { template: { labels: { 'commit-sha': 'abc' } } });
  });

  test('a selection under a list applies to each of its elements', () => {
    const page = { nextPageToken: 't', services: [SERVICE, { ...SERVICE, name: 'b' }] };
    assert.deepEqual(select(page, 'nextPageToken,services(name,template.containers.image)'), {
      nextPageToken: 't',
      services: [
        { name: SERVICE.name, template: { containers: [{ image: 'img' }] } },
        { name: 'b', template: { containers: [{ image: 'img' }] } },
      ],
    });
  });

  test('a field named whole stays whole, whatever else is named beneath it', () => {
    assert.deepEqual(select(SERVICE, 'template,template.labels'), { template: SERVICE.template });
    assert.deepEqual(select(SERVICE, 'template.labels,template'), { template: SERVICE.template });
    assert.deepEqual(select(SERVICE, 'template(*)'), { template: SERVICE.template });
    assert.deepEqual(select(SERVICE, '*'), SERVICE);
  });

  test('a field the answer lacks is left out, not made up; so is a name under a field that is not a message', () => {
    assert.deepEqual(select(SERVICE, 'uri,template.annotations,name'), { template: {}, name: SERVICE.name });
    assert.deepEqual(select(SERVICE, 'name.first,uid'), { uid: 'u' });
    assert.deepEqual(select({ args: ['a', 'b'] }, 'args(x)'), { args: [] });
  });

  test('a selection that cannot be read says where', () => {
    for (const [text, expected] of [
      ['name,', 'a field name at character 6'],
      ['services(name', '")" at character 14'],
      ['name)', '"," or the end at character 5'],
      ['a..b', 'a field name at character 3'],
      ['9lives', 'a field name at character 1'],
      ['*.name', '"," or the end after * at character 2'],
      ['template(*(name))', '"," or the end after * at character 11'],
    ]) {
      const parsed = parseFieldSelection(text!);
      assert.ok('error' in parsed, text);
      assert.equal(parsed.error, `Invalid field selection ${JSON.stringify(text)}: expected ${expected}.`);
    }
  });
});
