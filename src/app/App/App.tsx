/**
 * @file The app shell: header with status, model-loading banner, the new-version banner, the
 * storage warning, Photos/Webcam/Models tabs, the page-wide drop zone and the screen-reader
 * announcer.
 */
import { useState, type ReactNode } from 'react';
import { selectTab } from '../../store/ui-slice.ts';
import { useAppStore } from '../../store/use-app-store.ts';
import { Announcer } from '../Announcer/Announcer.tsx';
import { DropZone } from '../DropZone/DropZone.tsx';
import { EngineBanner } from '../EngineBanner/EngineBanner.tsx';
import { Header } from '../Header/Header.tsx';
import { ModelsPanel } from '../Models/ModelsPanel.tsx';
import { PhotosView } from '../Photos/PhotosView.tsx';
import { ShellUpdateBanner } from '../ShellUpdate/ShellUpdateBanner.tsx';
import { StorageNotice } from '../StorageNotice/StorageNotice.tsx';
import { panelId, tabId, Tabs, type TabSpec } from '../Tabs/Tabs.tsx';
import { WebcamView } from '../Webcam/WebcamView.tsx';
import './App.css';

const TABS: readonly TabSpec<'photos' | 'webcam' | 'models'>[] = [
  { key: 'photos', label: 'Photos' },
  { key: 'webcam', label: 'Webcam' },
  { key: 'models', label: 'Models' },
];

type TabKey = (typeof TABS)[number]['key'];

/** One tab's panel: all stay mounted (a running camera survives a look at the photos), only hidden. */
function TabPanel({ id, selected, children }: { id: TabKey; selected: TabKey; children: ReactNode }) {
  return (
    <section id={panelId(id)} role="tabpanel" aria-labelledby={tabId(id)} hidden={selected !== id} className="panel">
      {children}
    </section>
  );
}

/** True when the page was opened with `?camera=on` (main.tsx also selects the Webcam tab then). */
export function cameraOnAtLoad(): boolean {
  return new URLSearchParams(window.location.search).get('camera') === 'on';
}

/** The whole UI. */
export function App() {
  const tab = useAppStore((s) => s.ui.tab);
  // `?camera=on` opens the camera at load (kiosks, and measuring load → first annotated frame).
  const [cameraRequest, setCameraRequest] = useState(() => (cameraOnAtLoad() ? 1 : 0));
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Header />
      <main id="main" className="main" tabIndex={-1}>
        <ShellUpdateBanner />
        <EngineBanner />
        <StorageNotice />
        <Tabs label="Input" tabs={TABS} selected={tab} onSelect={selectTab} />
        <TabPanel id="photos" selected={tab}>
          <PhotosView
            onStartCamera={() => {
              selectTab('webcam');
              setCameraRequest((n) => n + 1);
            }}
          />
        </TabPanel>
        <TabPanel id="webcam" selected={tab}>
          <WebcamView startRequest={cameraRequest} />
        </TabPanel>
        <TabPanel id="models" selected={tab}>
          <ModelsPanel />
        </TabPanel>
      </main>
      <footer className="footer">
        <p>
          Private by design: photos and camera frames are decoded and analysed in a Web Worker on this device; only the
          model files are downloaded.
        </p>
      </footer>
      <DropZone />
      <Announcer />
    </div>
  );
}
