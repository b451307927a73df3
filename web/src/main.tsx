import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { App } from './ui/App';
import { captureRoomToken } from './ui/roomAccess';
import './ui/styles.css';

// Before anything renders: an invitation's token must not stay in the address bar or history.
captureRoomToken();

const root = document.getElementById('root');
if (!root) throw new Error('no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
