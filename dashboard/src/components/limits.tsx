// Text fields with a length limit that is said, not silently applied: a maxLength input cuts a
// pasted 301-character name to 255 without a word. These take any length, count it beside the
// field, and refuse to submit (the form's own validation, with the same sentence) while it is over.
import { useEffect, useRef, type InputHTMLAttributes, type TextareaHTMLAttributes } from 'react';

/** The sentence for a value over its limit, or undefined. */
export function overLimit(value: string, max: number): string | undefined {
  const n = [...value].length;
  return n > max ? `${n} characters: ${n - max} over the limit of ${max}. Shorten it to save.` : undefined;
}

/** "What this field is. 12/255" — or, over the limit, the sentence saying so, as an alert. */
export function LengthHint({ value, max, what }: { value: string; max: number; what?: string }) {
  const problem = overLimit(value, max);
  return (
    <>
      {what && <>{what} </>}
      <span className={problem ? 'length-count field-error' : 'length-count'} role={problem ? 'alert' : undefined} data-over={problem ? 'true' : undefined}>
        {problem ?? `${[...value].length}/${max}`}
      </span>
    </>
  );
}

type Common = { value: string; onChange: (value: string) => void; max: number };

function useLimit<E extends HTMLInputElement | HTMLTextAreaElement>(value: string, max: number) {
  const ref = useRef<E>(null);
  const problem = overLimit(value, max);
  useEffect(() => ref.current?.setCustomValidity(problem ?? ''), [problem]);
  return { ref, problem };
}

export function LimitedInput({ value, onChange, max, ...rest }: Common & Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'maxLength'>) {
  const { ref, problem } = useLimit<HTMLInputElement>(value, max);
  return <input ref={ref} value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={problem !== undefined} title={value.length > 60 ? value : undefined} {...rest} />;
}

export function LimitedTextarea({ value, onChange, max, ...rest }: Common & Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'value' | 'onChange' | 'maxLength'>) {
  const { ref, problem } = useLimit<HTMLTextAreaElement>(value, max);
  return <textarea ref={ref} value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={problem !== undefined} {...rest} />;
}
