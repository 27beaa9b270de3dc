/**
 * The console's browser entry point (bundled by esbuild into dist/console-web/main.js, with uPlot's and the
 * console's styles into main.css): renders the App into #app.
 */
import { render } from 'preact';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { App } from './app.js';

render(<App />, document.getElementById('app')!);
