/**
 * @file The storage warning every tab shows when the device cannot keep the models: site data
 * blocked (the app works from the network only, not offline) or a full disk (an update could
 * not be saved; what serves keeps serving). It says what the user can do; the full reason is
 * in the Models tab's update log.
 */
import { useAppStore } from '../../store/use-app-store.ts';
import './StorageNotice.css';

/** Shows why models are not kept on this device, if they are not. */
export function StorageNotice() {
  const storage = useAppStore((s) => s.models.manager?.storage);
  if (!storage || storage.state === 'ok') return null;
  if (storage.state === 'unavailable') {
    return (
      <section className="banner storage-notice" role="status" data-testid="storage-notice">
        <h2 className="banner__title storage-notice__title">Browser storage is blocked for this site</h2>
        <p>
          Models are downloaded from the registry and verified on every visit, and the app cannot work offline. Photos
          and the camera work as usual. Allow site data (cookies and site data) for this site to keep the models on this
          device.
        </p>
        <p className="storage-notice__reason">{storage.reason}</p>
      </section>
    );
  }
  return (
    <section className="banner storage-notice" role="status" data-testid="storage-notice">
      <h2 className="banner__title storage-notice__title">Browser storage is full</h2>
      <p>
        The models in use keep serving. Free space for this site in the browser settings, then choose Check now in the
        Models tab; the full reason is in its update log.
      </p>
      <p className="storage-notice__reason">{storage.reason}</p>
    </section>
  );
}
