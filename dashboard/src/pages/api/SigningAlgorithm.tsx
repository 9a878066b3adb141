// The API's signing algorithm, as chosen when it is created and changed in its settings.
import { Field } from '../../components/ui.tsx';

export type SigningAlg = 'RS256' | 'HS256';

export function SigningAlgorithmField({ value, onChange, hint }: { value: SigningAlg; onChange: (alg: SigningAlg) => void; hint: string }) {
  return (
    <Field label="Signing Algorithm" hint={hint}>
      {(id) => (
        <select id={id} value={value} onChange={(e) => onChange(e.target.value as SigningAlg)}>
          <option value="RS256">RS256</option>
          <option value="HS256">HS256</option>
        </select>
      )}
    </Field>
  );
}
