import { Modal } from '../Modal';
import { SHORTCUTS } from './shortcuts';

/** The keyboard shortcuts, listed from the same table the key handler uses. */
export function HelpDialog({ onClose }: { onClose: () => void }) {
  return (
    <Modal label="Keyboard shortcuts" className="help-dialog" onClose={onClose}>
      <h2>Keyboard shortcuts</h2>
      <table>
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.command}>
              <td>{s.label}</td>
              <td>
                {s.keys.map((k, i) => (
                  <span key={k}>
                    {i > 0 && ' or '}
                    <kbd>{k}</kbd>
                  </span>
                ))}
              </td>
            </tr>
          ))}
          <tr>
            <td>Pan the canvas</td>
            <td>
              drag the background, or scroll
            </td>
          </tr>
          <tr>
            <td>Select several nodes</td>
            <td>
              <kbd>Shift</kbd>+drag a box, or <kbd>Ctrl</kbd>+click
            </td>
          </tr>
        </tbody>
      </table>
      <p className="note">On macOS, Cmd works wherever Ctrl is listed.</p>
      <div className="help-buttons">
        <button type="button" onClick={onClose} data-initial-focus>
          Close
        </button>
      </div>
    </Modal>
  );
}
