// The Deploy CLI's keyword replacement (issue 12 item 3): ##KEY## as text, @@KEY@@ as JSON,
// values taken literally ($& and friends included), leftovers found, flags and mapping files read.
import { describe, expect, it } from 'vitest';
import { KeywordError, leftoverKeywords, mappingsFromJson, parseKeywordFlag, replaceKeywords } from '../../src/config-as-code/keywords.ts';

describe('keywords', () => {
  it('##KEY## becomes text anywhere; @@KEY@@ becomes JSON and swallows the quotes around it', () => {
    const text = `a: ##NAME##\nb: "x-##NAME##-y"\nc: @@LIST@@\nd: '@@LIST@@'\ne: "@@OBJ@@"\n`;
    expect(replaceKeywords(text, { NAME: 'shop', LIST: ['u', 'v'], OBJ: { k: 1 } })).toBe(`a: shop\nb: "x-shop-y"\nc: ["u","v"]\nd: ["u","v"]\ne: {"k":1}\n`);
  });

  it('values are literal: replacement patterns in them are not expanded', () => {
    expect(replaceKeywords('s: ##SECRET##', { SECRET: "a$&b$'c$`d" })).toBe("s: a$&b$'c$`d");
  });

  it('leftover markers are found once each, in order', () => {
    expect(leftoverKeywords('##A## @@B@@ ##A## ## not one ## @@ C @@')).toStrictEqual(['##A##', '@@B@@']);
  });

  it('--keyword KEY=VALUE (JSON when it is a list or object), KEY alone from the environment', () => {
    expect(parseKeywordFlag('ENV=staging')).toStrictEqual(['ENV', 'staging']);
    expect(parseKeywordFlag('URLS=["https://a/"]')).toStrictEqual(['URLS', ['https://a/']]);
    expect(parseKeywordFlag('X=[not json')).toStrictEqual(['X', '[not json']);
    expect(parseKeywordFlag('EMPTY=')).toStrictEqual(['EMPTY', '']);
    expect(parseKeywordFlag('TOKEN', { TOKEN: 's3cret' })).toStrictEqual(['TOKEN', 's3cret']);
    expect(() => parseKeywordFlag('TOKEN', {})).toThrow(new KeywordError('--keyword TOKEN: no value given and no environment variable TOKEN'));
    expect(() => parseKeywordFlag('BAD-KEY=x')).toThrow(KeywordError);
  });

  it('a mapping file is the mapping itself or a Deploy CLI config holding AUTH0_KEYWORD_REPLACE_MAPPINGS', () => {
    expect(mappingsFromJson('{"A": "1"}', 'k.json')).toStrictEqual({ A: '1' });
    expect(mappingsFromJson('{"AUTH0_DOMAIN": "x", "AUTH0_KEYWORD_REPLACE_MAPPINGS": {"B": ["2"]}}', 'config.json')).toStrictEqual({ B: ['2'] });
    expect(() => mappingsFromJson('[1]', 'k.json')).toThrow(new KeywordError('k.json: expected an object of KEY: value pairs'));
    expect(() => mappingsFromJson('{', 'k.json')).toThrow(/^k\.json: not valid JSON/);
  });
});
