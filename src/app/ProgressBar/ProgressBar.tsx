/**
 * @file An accessible progress bar (role progressbar, labelled by the text beside it): model
 * loading and photo batches both show one.
 */

/** Props: the current value of `max`, the id of the element that labels it, and extras. */
export interface ProgressBarProps {
  value: number;
  max: number;
  labelledBy: string;
  /** Read instead of the number, e.g. "3 of 6 photos". */
  valueText?: string;
  testId?: string;
}

/** The bar; its width is value ÷ max. */
export function ProgressBar({ value, max, labelledBy, valueText, testId }: ProgressBarProps) {
  return (
    <div
      className="progress"
      role="progressbar"
      aria-labelledby={labelledBy}
      aria-valuemin={0}
      aria-valuemax={max}
      aria-valuenow={value}
      aria-valuetext={valueText}
      data-testid={testId}
    >
      <div className="progress__bar" style={{ width: `${max > 0 ? (100 * value) / max : 0}%` }} />
    </div>
  );
}
